/*
 * Tests the C codec against the shared vectors (test/vectors/frames.json, turned into tp_vectors.h by
 * test/c-codec.test.ts) plus a deterministic fuzz/property loop. Exit code 0 = pass.
 */
#include <stdio.h>
#include <string.h>

#include "tp_frame.h"
#include "tp_vectors.h"

static int failures = 0;
#define CHECK(cond, ...)                      \
  do {                                        \
    if (!(cond)) {                            \
      failures++;                             \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__); \
      fprintf(stderr, __VA_ARGS__);           \
      fprintf(stderr, "\n");                  \
    }                                         \
  } while (0)

static uint32_t rng = 0x12345678u;
static uint32_t next_random(void) { /* xorshift32: reproducible runs */
  rng ^= rng << 13;
  rng ^= rng >> 17;
  rng ^= rng << 5;
  return rng;
}

static void test_vectors(void) {
  size_t i, j;
  CHECK(tp_crc16((const uint8_t *)CRC_ASCII, strlen(CRC_ASCII)) == CRC_VALUE, "crc check value");
  for (i = 0; i < VALID_COUNT; i++) {
    const struct valid_vector *v = &VALID[i];
    tp_frame_t frame = {0, 0, 0, 0, NULL, 0};
    tp_frame_t got;
    uint8_t wire[TP_MAX_WIRE];
    size_t n;
    tp_parser_t parser;
    int results = 0;
    frame.kind = v->kind;
    frame.seq = v->seq;
    frame.command = v->command;
    frame.status = v->status;
    frame.body = v->body;
    frame.body_len = v->body_len;
    n = tp_frame_encode(&frame, wire, sizeof wire);
    CHECK(n == v->wire_len && memcmp(wire, v->wire, n) == 0, "encode %s", v->name);

    /* Decode the vector's wire bytes; the body must re-encode record by record to the same bytes. */
    tp_parser_init(&parser);
    for (j = 0; j < v->wire_len; j++) {
      int r = tp_parser_feed(&parser, v->wire[j], &got);
      if (r == TP_FRAME_READY) {
        tp_reader_t reader;
        tp_record_t rec;
        tp_writer_t writer;
        uint8_t body[TP_MAX_BODY];
        char key[64];
        int rr;
        results++;
        CHECK(got.kind == v->kind && got.seq == v->seq && got.command == v->command && got.status == v->status, "header %s", v->name);
        CHECK(got.body_len == v->body_len && memcmp(got.body, v->body, v->body_len) == 0, "body %s", v->name);
        tp_reader_init(&reader, got.body, got.body_len);
        tp_writer_init(&writer, body, sizeof body);
        while ((rr = tp_next(&reader, &rec)) == 1) {
          memcpy(key, rec.key, rec.key_len);
          key[rec.key_len] = 0;
          switch (rec.tag) {
            case TP_TAG_BOOL: tp_put_bool(&writer, key, rec.v.b); break;
            case TP_TAG_INT: tp_put_int(&writer, key, rec.v.i); break;
            case TP_TAG_FLOAT: tp_put_float(&writer, key, rec.v.f); break;
            default: tp_put_strn(&writer, key, rec.v.s.ptr, rec.v.s.len); break;
          }
        }
        CHECK(rr == 0 && !writer.overflow, "records %s", v->name);
        CHECK(writer.len == v->body_len && memcmp(body, v->body, writer.len) == 0, "records round trip %s", v->name);
      } else {
        CHECK(r == TP_NEED_MORE, "unexpected error %d in %s", r, v->name);
      }
    }
    CHECK(results == 1, "%s decoded %d times", v->name, results);
  }
  for (i = 0; i < INVALID_COUNT; i++) {
    const struct invalid_vector *v = &INVALID[i];
    tp_frame_t got;
    CHECK(tp_frame_decode(v->raw, v->raw_len, &got) == v->error, "invalid %s", v->name);
  }
}

static void test_oversize_and_reset(void) {
  tp_parser_t parser;
  tp_frame_t got;
  size_t i;
  int r = 0;
  tp_parser_init(&parser);
  for (i = 0; i < TP_MAX_ENCODED * 2; i++) CHECK(tp_parser_feed(&parser, 0x41, &got) == TP_NEED_MORE, "oversize byte");
  r = tp_parser_feed(&parser, 0, &got);
  CHECK(r == TP_ERR_TOO_LARGE && parser.errors == 1, "oversize reported once (%d)", r);
  /* A partial frame then a reset (inter-byte timeout) then a good frame. */
  tp_parser_feed(&parser, 0x05, &got);
  tp_parser_reset(&parser);
  for (i = 0; i < VALID[0].wire_len; i++) r = tp_parser_feed(&parser, VALID[0].wire[i], &got);
  CHECK(r == TP_FRAME_READY && parser.errors == 2, "recovers after reset");
}

/* Issue 13: a pause inside a frame (a stalled receiver) never drops a frame that checks out. */
static void test_pause(void) {
  tp_parser_t parser;
  tp_frame_t got;
  const struct valid_vector *v = &VALID[0];
  size_t i, cut = v->wire_len / 2;
  int r = 0, frames = 0;
  tp_parser_init(&parser);
  for (i = 0; i < cut; i++) r = tp_parser_feed(&parser, v->wire[i], &got);
  tp_parser_pause(&parser);
  for (i = cut; i < v->wire_len; i++) {
    r = tp_parser_feed(&parser, v->wire[i], &got);
    if (r == TP_FRAME_READY) frames++;
  }
  CHECK(frames == 1 && parser.errors == 0 && got.seq == v->seq && got.command == v->command, "split frame kept (%d frames, %u errors)", frames, (unsigned)parser.errors);

  /* An abandoned partial frame, a pause, then a frame whose leading delimiter is missing: the frame is found. */
  tp_parser_init(&parser);
  frames = 0;
  for (i = 0; i < cut; i++) tp_parser_feed(&parser, v->wire[i], &got);
  tp_parser_pause(&parser);
  for (i = 1; i < v->wire_len; i++) {
    if (tp_parser_feed(&parser, v->wire[i], &got) == TP_FRAME_READY) frames++;
  }
  CHECK(frames == 1 && parser.errors == 1, "frame after abandoned partial (%d frames, %u errors)", frames, (unsigned)parser.errors);

  /* Garbage, a pause, more garbage: still dropped, as one framing error. */
  tp_parser_init(&parser);
  for (i = 0; i < 10; i++) tp_parser_feed(&parser, 0x41, &got);
  tp_parser_pause(&parser);
  for (i = 0; i < 10; i++) tp_parser_feed(&parser, 0x42, &got);
  r = tp_parser_feed(&parser, 0, &got);
  CHECK(r < 0 && parser.errors == 1, "garbage across a pause dropped (%d)", r);

  /* A full buffer of stale bytes before a pause makes room for the frame after it. */
  tp_parser_init(&parser);
  frames = 0;
  for (i = 0; i < TP_MAX_ENCODED - 3u; i++) tp_parser_feed(&parser, 0x41, &got);
  tp_parser_pause(&parser);
  for (i = 1; i < v->wire_len; i++) {
    if (tp_parser_feed(&parser, v->wire[i], &got) == TP_FRAME_READY) frames++;
  }
  CHECK(frames == 1, "frame after a full stale buffer (%d)", frames);
}

/* The largest frame without a zero byte (non-zero status, CRC) fits TP_MAX_WIRE exactly (515 COBS bytes + 2
   delimiters) and parses back. */
static void test_max_frame(void) {
  static uint8_t body[TP_MAX_BODY];
  uint8_t wire[TP_MAX_WIRE];
  tp_frame_t frame = {TP_KIND_RESPONSE, 1, TP_CMD_PING, TP_ST_FAILED, NULL, TP_MAX_BODY};
  tp_frame_t got;
  tp_parser_t parser;
  size_t i, n;
  int frames = 0;
  memset(body, 0x41, sizeof body);
  frame.body = body;
  CHECK(TP_MAX_ENCODED == 515u && TP_MAX_WIRE == 517u, "limits %u/%u", (unsigned)TP_MAX_ENCODED, (unsigned)TP_MAX_WIRE);
  n = tp_frame_encode(&frame, wire, sizeof wire);
  CHECK(n == TP_MAX_WIRE, "largest frame is %u wire bytes", (unsigned)n);
  tp_parser_init(&parser);
  for (i = 0; i < n; i++) {
    if (tp_parser_feed(&parser, wire[i], &got) == TP_FRAME_READY) frames++;
  }
  CHECK(frames == 1 && got.body_len == TP_MAX_BODY && parser.errors == 0, "largest frame parses");
}

/* Numbered events: consecutive seqs from last_seq + 1, wrapping 255 -> 0; event_seq announces the counter. */
static void test_event_counter(void) {
  tp_event_counter_t counter = {254};
  uint8_t wire[TP_MAX_WIRE], body[16];
  tp_writer_t w;
  tp_reader_t r;
  tp_record_t rec;
  tp_frame_t got;
  tp_parser_t parser;
  size_t i, n;
  int k;
  uint8_t expected[3] = {255, 0, 1};
  for (k = 0; k < 3; k++) {
    n = tp_event_encode(&counter, TP_EVT_ERROR_RAISED, NULL, 0, wire, sizeof wire);
    tp_parser_init(&parser);
    for (i = 0; i < n; i++) tp_parser_feed(&parser, wire[i], &got);
    CHECK(n > 0 && got.kind == TP_KIND_EVENT && got.seq == expected[k] && counter.last_seq == expected[k], "event seq %d", k);
  }
  CHECK(tp_event_encode(&counter, TP_EVT_STATE, NULL, 0, wire, 4) == 0 && counter.last_seq == 1, "a frame that does not fit uses no seq");
  tp_writer_init(&w, body, sizeof body);
  tp_put_event_seq(&w, &counter);
  tp_reader_init(&r, body, w.len);
  CHECK(tp_next(&r, &rec) == 1 && tp_key_is(&rec, "event_seq") && rec.tag == TP_TAG_INT && rec.v.i == 1, "event_seq record");
}

/* Property loops: garbage never yields a frame; frames with noise between them come out once, in order. */
static void test_fuzz(void) {
  int iteration;
  for (iteration = 0; iteration < 20000; iteration++) {
    tp_parser_t parser;
    tp_frame_t got;
    uint8_t body[64];
    uint8_t wire[TP_MAX_WIRE];
    size_t n, i, k;
    int frames = 0;
    tp_frame_t sent = {TP_KIND_EVENT, 0, 0, 0, NULL, 0};
    tp_parser_init(&parser);
    for (i = 0; i < 200; i++) {
      if (tp_parser_feed(&parser, (uint8_t)next_random(), &got) == TP_FRAME_READY) frames++;
    }
    CHECK(frames == 0, "garbage produced a frame at iteration %d", iteration);

    sent.seq = (uint8_t)next_random();
    sent.command = (uint8_t)next_random();
    sent.body_len = next_random() % sizeof body;
    for (i = 0; i < sent.body_len; i++) body[i] = (uint8_t)next_random();
    sent.body = body;
    n = tp_frame_encode(&sent, wire, sizeof wire);
    CHECK(n > 0, "encode");
    for (k = 0; k < 3; k++) {
      for (i = 0; i < n; i++) {
        int r = tp_parser_feed(&parser, wire[i], &got);
        if (r == TP_FRAME_READY) {
          frames++;
          CHECK(got.seq == sent.seq && got.command == sent.command && got.body_len == sent.body_len && memcmp(got.body, body, got.body_len) == 0,
                "frame mismatch at iteration %d", iteration);
        }
      }
      for (i = next_random() % 16; i > 0; i--) tp_parser_feed(&parser, (uint8_t)(next_random() | 1u), &got); /* noise */
    }
    CHECK(frames == 3, "expected 3 frames, got %d at iteration %d", frames, iteration);
  }
}

int main(void) {
  test_vectors();
  test_oversize_and_reset();
  test_pause();
  test_max_frame();
  test_event_counter();
  test_fuzz();
  if (failures) {
    fprintf(stderr, "%d failure(s)\n", failures);
    return 1;
  }
  printf("ok: %u valid vectors, %u invalid vectors, 20000 fuzz iterations\n", (unsigned)VALID_COUNT, (unsigned)INVALID_COUNT);
  return 0;
}
