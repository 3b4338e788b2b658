/*
 * CRC32C (Castagnoli, reflected, as RocksDB and @node-rs/crc32 compute it) as
 * a Node-API addon, fast enough that checking every received byte costs the
 * receiver a few percent of a core (issue 13).
 *
 * Three kernels, chosen once by what the CPU has:
 *  - VPCLMULQDQ + AVX-512: carry-less multiplication folds 4 x 64 bytes per
 *    step (16 independent 128-bit lanes), the hardware CRC32 instruction
 *    reduces the last 16 bytes;
 *  - PCLMULQDQ + SSE4.2: the same folding with 4 x 16-byte lanes;
 *  - SSE4.2 alone: the CRC32 instruction, 8 bytes at a time.
 * Anything else (another architecture) fails to compile and the suite falls
 * back to @node-rs/crc32 (src/transfer/crc32c.ts).
 *
 * The folding constants are computed at load time from the polynomial, not
 * written out: x^n mod P for the fold distances. Why the exponents are what
 * they are: a 128-bit register V holding 16 message bytes is, in the
 * reflected bit order, the polynomial H * x^64 + L (H: its low 64 bits, the
 * earlier bytes; L: its high 64 bits). Moving V forward by F bits (to XOR it
 * onto the data F bits later) multiplies it by x^F; modulo P that is
 * H * (x^(F+64) mod P) + L * (x^F mod P), two products of 64 by 32 bits that
 * fit in 128. A reflected carry-less multiply yields the product times x, so
 * the constants are x^(F+63) and x^(F-1) mod P.
 */
#include <node_api.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>
#else
#error "crc32c.c: x86-64 only (the suite falls back to @node-rs/crc32 elsewhere)"
#endif

/* CRC32C's polynomial in the normal bit order, with its x^32 term. */
#define POLY_NORMAL 0x11EDC6F41ULL

/* x^n mod P, as a 64-bit reflected value (the coefficient of x^d at bit 63-d). */
static uint64_t xpow_mod_reflected(unsigned n) {
  uint64_t r = 1; /* x^0, normal order */
  for (unsigned i = 0; i < n; i++) {
    r <<= 1;
    if (r & (1ULL << 32)) r ^= POLY_NORMAL;
  }
  uint32_t rev = 0;
  for (int b = 0; b < 32; b++)
    if (r & (1ULL << b)) rev |= 1U << (31 - b);
  return (uint64_t)rev << 32;
}

/* The two constants that move a 128-bit lane forward by `bytes`. */
typedef struct {
  uint64_t high; /* multiplies the lane's low qword (H) */
  uint64_t low;  /* multiplies the lane's high qword (L) */
} fold_t;

static fold_t fold_by(unsigned bytes) {
  unsigned f = bytes * 8;
  fold_t k = {xpow_mod_reflected(f + 63), xpow_mod_reflected(f - 1)};
  return k;
}

static fold_t k16, k32, k48, k64, k256;

static void init_constants(void) {
  k16 = fold_by(16);
  k32 = fold_by(32);
  k48 = fold_by(48);
  k64 = fold_by(64);
  k256 = fold_by(256);
}

__attribute__((target("sse4.2"))) static uint32_t crc_bytes(uint32_t crc, const uint8_t *p, size_t n) {
  uint64_t c = crc;
  while (n >= 8) {
    uint64_t v;
    memcpy(&v, p, 8);
    c = _mm_crc32_u64(c, v);
    p += 8;
    n -= 8;
  }
  uint32_t c32 = (uint32_t)c;
  while (n--) c32 = _mm_crc32_u8(c32, *p++);
  return c32;
}

/* The CRC state of a folded 128-bit lane: its 16 bytes through CRC32 from 0. */
__attribute__((target("sse4.2"))) static uint32_t reduce128(__m128i v) {
  uint64_t c = _mm_crc32_u64(0, (uint64_t)_mm_cvtsi128_si64(v));
  return (uint32_t)_mm_crc32_u64(c, (uint64_t)_mm_extract_epi64(v, 1));
}

__attribute__((target("sse4.2,pclmul"))) static __m128i fold128(__m128i v, fold_t k) {
  __m128i kk = _mm_set_epi64x((long long)k.low, (long long)k.high);
  return _mm_xor_si128(_mm_clmulepi64_si128(v, kk, 0x00), _mm_clmulepi64_si128(v, kk, 0x11));
}

/* PCLMULQDQ: four 16-byte lanes, 64 bytes per step. n >= 128. */
__attribute__((target("sse4.2,pclmul"))) static uint32_t crc_pclmul(uint32_t crc, const uint8_t *p, size_t n) {
  __m128i x0 = _mm_loadu_si128((const __m128i *)p);
  __m128i x1 = _mm_loadu_si128((const __m128i *)(p + 16));
  __m128i x2 = _mm_loadu_si128((const __m128i *)(p + 32));
  __m128i x3 = _mm_loadu_si128((const __m128i *)(p + 48));
  x0 = _mm_xor_si128(x0, _mm_cvtsi32_si128((int)crc));
  p += 64;
  n -= 64;
  while (n >= 64) {
    x0 = _mm_xor_si128(fold128(x0, k64), _mm_loadu_si128((const __m128i *)p));
    x1 = _mm_xor_si128(fold128(x1, k64), _mm_loadu_si128((const __m128i *)(p + 16)));
    x2 = _mm_xor_si128(fold128(x2, k64), _mm_loadu_si128((const __m128i *)(p + 32)));
    x3 = _mm_xor_si128(fold128(x3, k64), _mm_loadu_si128((const __m128i *)(p + 48)));
    p += 64;
    n -= 64;
  }
  __m128i v = _mm_xor_si128(fold128(x0, k48), fold128(x1, k32));
  v = _mm_xor_si128(v, _mm_xor_si128(fold128(x2, k16), x3));
  return crc_bytes(reduce128(v), p, n);
}

__attribute__((target("avx512f,avx512vl,vpclmulqdq,sse4.2"))) static __m512i fold512(__m512i v, __m512i k) {
  return _mm512_xor_si512(_mm512_clmulepi64_epi128(v, k, 0x00), _mm512_clmulepi64_epi128(v, k, 0x11));
}

__attribute__((target("avx512f,avx512vl,vpclmulqdq,sse4.2"))) static __m512i lanes(fold_t k) {
  return _mm512_set_epi64((long long)k.low, (long long)k.high, (long long)k.low, (long long)k.high,
                          (long long)k.low, (long long)k.high, (long long)k.low, (long long)k.high);
}

/* VPCLMULQDQ: four 64-byte registers, 256 bytes per step. n >= 512. */
__attribute__((target("avx512f,avx512vl,vpclmulqdq,sse4.2,pclmul"))) static uint32_t crc_vpclmul(uint32_t crc, const uint8_t *p,
                                                                                                  size_t n) {
  __m512i x0 = _mm512_loadu_si512(p);
  __m512i x1 = _mm512_loadu_si512(p + 64);
  __m512i x2 = _mm512_loadu_si512(p + 128);
  __m512i x3 = _mm512_loadu_si512(p + 192);
  x0 = _mm512_xor_si512(x0, _mm512_castsi128_si512(_mm_cvtsi32_si128((int)crc)));
  p += 256;
  n -= 256;
  const __m512i f256 = lanes(k256);
  while (n >= 256) {
    /* 0x96: a ^ b ^ c */
    x0 = _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(x0, f256, 0x00), _mm512_clmulepi64_epi128(x0, f256, 0x11),
                                   _mm512_loadu_si512(p), 0x96);
    x1 = _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(x1, f256, 0x00), _mm512_clmulepi64_epi128(x1, f256, 0x11),
                                   _mm512_loadu_si512(p + 64), 0x96);
    x2 = _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(x2, f256, 0x00), _mm512_clmulepi64_epi128(x2, f256, 0x11),
                                   _mm512_loadu_si512(p + 128), 0x96);
    x3 = _mm512_ternarylogic_epi64(_mm512_clmulepi64_epi128(x3, f256, 0x00), _mm512_clmulepi64_epi128(x3, f256, 0x11),
                                   _mm512_loadu_si512(p + 192), 0x96);
    p += 256;
    n -= 256;
  }
  /* Four registers into one (each 64 bytes ahead of the one before). */
  const __m512i f64 = lanes(k64);
  __m512i v = _mm512_xor_si512(fold512(x0, f64), x1);
  v = _mm512_xor_si512(fold512(v, f64), x2);
  v = _mm512_xor_si512(fold512(v, f64), x3);
  /* Four lanes into one: lane i is 48 - 16 i bytes before the last. */
  __m128i a = fold128(_mm512_extracti32x4_epi32(v, 0), k48);
  __m128i b = fold128(_mm512_extracti32x4_epi32(v, 1), k32);
  __m128i c = fold128(_mm512_extracti32x4_epi32(v, 2), k16);
  __m128i r = _mm_xor_si128(_mm_xor_si128(a, b), _mm_xor_si128(c, _mm512_extracti32x4_epi32(v, 3)));
  return crc_bytes(reduce128(r), p, n);
}

typedef enum { KERNEL_CRC32, KERNEL_PCLMUL, KERNEL_VPCLMUL } kernel_t;
static kernel_t kernel;
static const char *const KERNEL_NAMES[] = {"sse4.2", "pclmulqdq", "vpclmulqdq-avx512"};

/* The state in and out is the raw register (no inversion); crc32c() below inverts. */
static uint32_t crc_raw(uint32_t crc, const uint8_t *p, size_t n) {
  if (kernel == KERNEL_VPCLMUL && n >= 512) return crc_vpclmul(crc, p, n);
  if (kernel >= KERNEL_PCLMUL && n >= 128) return crc_pclmul(crc, p, n);
  return crc_bytes(crc, p, n);
}

/*
 * crc32c(bytes: ArrayBufferView, previous = 0): number — the same contract as
 * @node-rs/crc32. Called once per read on the receiver's loop, so the common
 * case (a Buffer, a number or nothing) takes the fewest Node-API calls.
 */
static napi_value js_crc32c(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok) return NULL;
  if (argc < 1) {
    napi_throw_type_error(env, NULL, "crc32c(bytes, previous?): bytes is missing");
    return NULL;
  }
  uint32_t previous = 0;
  if (argc >= 2 && napi_get_value_uint32(env, argv[1], &previous) != napi_ok) {
    napi_valuetype t;
    napi_typeof(env, argv[1], &t);
    if (t != napi_undefined) {
      napi_throw_type_error(env, NULL, "crc32c(bytes, previous?): previous must be a number");
      return NULL;
    }
    previous = 0;
  }
  void *data = NULL;
  size_t length = 0;
  napi_typedarray_type type;
  size_t count = 0;
  if (napi_get_typedarray_info(env, argv[0], &type, &count, &data, NULL, NULL) == napi_ok) {
    size_t width = 1;
    switch (type) {
      case napi_int16_array: case napi_uint16_array: width = 2; break;
      case napi_int32_array: case napi_uint32_array: case napi_float32_array: width = 4; break;
      case napi_float64_array: case napi_bigint64_array: case napi_biguint64_array: width = 8; break;
      default: width = 1;
    }
    length = count * width;
  } else if (napi_get_dataview_info(env, argv[0], &length, &data, NULL, NULL) != napi_ok) {
    napi_throw_type_error(env, NULL, "crc32c(bytes, previous?): bytes must be a Buffer, typed array or DataView");
    return NULL;
  }
  uint32_t crc = ~crc_raw(~previous, (const uint8_t *)data, length);
  napi_value out;
  napi_create_uint32(env, crc, &out);
  return out;
}

NAPI_MODULE_INIT() {
  __builtin_cpu_init();
  init_constants();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("vpclmulqdq") &&
      __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.2"))
    kernel = KERNEL_VPCLMUL;
  else if (__builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.2"))
    kernel = KERNEL_PCLMUL;
  else if (__builtin_cpu_supports("sse4.2"))
    kernel = KERNEL_CRC32;
  else {
    napi_throw_error(env, NULL, "crc32c addon: this CPU has no SSE4.2 CRC32 instruction");
    return NULL;
  }
  /* Tests run each kernel on this machine: a named one caps the choice (never raises it). */
  const char *cap = getenv("TLS_SST_BENCH_CRC32C_KERNEL");
  if (cap != NULL) {
    for (int k = 0; k < 3; k++)
      if (strcmp(cap, KERNEL_NAMES[k]) == 0 && (kernel_t)k < kernel) kernel = (kernel_t)k;
  }
  napi_value fn, name;
  napi_create_function(env, "crc32c", NAPI_AUTO_LENGTH, js_crc32c, NULL, &fn);
  napi_set_named_property(env, exports, "crc32c", fn);
  napi_create_string_utf8(env, KERNEL_NAMES[kernel], NAPI_AUTO_LENGTH, &name);
  napi_set_named_property(env, exports, "kernel", name);
  return exports;
}
