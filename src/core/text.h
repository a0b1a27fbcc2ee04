/*
 * text.h -- cJSON member helpers and hex strings (text.c).
 */
#ifndef STRADS_TEXT_H
#define STRADS_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* Member helpers that give 0 / "" when absent or of the wrong type. */
double strads__json_num(const cJSON *o, const char *key);
const char *strads__json_str(const cJSON *o, const char *key);
/* A hex string of n bytes into out; 0 or -1. */
int strads__hex_decode(const char *s, uint8_t *out, size_t n);
/* n bytes as 2n lowercase hex digits and a NUL into out. */
void strads__hex_encode(const uint8_t *p, size_t n, char *out);

#endif
