/*
 * Touchpoint serial protocol v1: frame codec for the MCU side. Dependency-free C99, no malloc.
 * Specification: docs/serial-protocol.md. Wire form of a frame: 0x00, COBS(header | body | CRC), 0x00.
 *   header: version(1) kind(1) seq(1) command(1) status(1)
 *   CRC:    CRC-16/CCITT-FALSE over header+body, big-endian
 * Drop tp_frame.h and tp_frame.c into the firmware project.
 */
#ifndef TP_FRAME_H
#define TP_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define TP_PROTOCOL_VERSION 1u
#ifndef TP_MAX_FRAME
#define TP_MAX_FRAME 512u /* header + body + CRC; must match the host (512) or be smaller */
#endif
#define TP_HEADER_SIZE 5u
#define TP_CRC_SIZE 2u
#define TP_MIN_FRAME (TP_HEADER_SIZE + TP_CRC_SIZE)
#define TP_MAX_BODY (TP_MAX_FRAME - TP_MIN_FRAME)
/* Largest COBS block: one code byte per run of 254 non-zero bytes, plus the final one (512 -> 515). */
#define TP_MAX_ENCODED (TP_MAX_FRAME + TP_MAX_FRAME / 254u + 1u)
#define TP_MAX_WIRE (TP_MAX_ENCODED + 2u) /* with both delimiters: 517 */
#ifndef TP_MAX_PAUSE_MARKS
#define TP_MAX_PAUSE_MARKS 4u /* pauses remembered inside one block (tp_parser_pause) */
#endif

enum tp_kind { TP_KIND_REQUEST = 0x01, TP_KIND_RESPONSE = 0x02, TP_KIND_EVENT = 0x03 };
enum tp_command { TP_CMD_GET_INFO = 0x01, TP_CMD_READ_SENSORS = 0x02, TP_CMD_READ_ERRORS = 0x03, TP_CMD_RUN_ACTION = 0x04, TP_CMD_SUBSCRIBE = 0x05, TP_CMD_PING = 0x06 };
enum tp_event { TP_EVT_ERROR_RAISED = 0x81, TP_EVT_ERROR_CLEARED = 0x82, TP_EVT_PROGRESS = 0x83, TP_EVT_ACTION_DONE = 0x84, TP_EVT_STATE = 0x85 };
enum tp_status { TP_ST_OK = 0x00, TP_ST_UNKNOWN_COMMAND = 0x01, TP_ST_BAD_REQUEST = 0x02, TP_ST_BUSY = 0x03, TP_ST_FAILED = 0x04, TP_ST_UNKNOWN_ACTION = 0x05 };

/* Results: 1 = frame ready, 0 = need more bytes, negative = framing error (frame dropped). */
#define TP_FRAME_READY 1
#define TP_NEED_MORE 0
#define TP_ERR_CRC (-1)
#define TP_ERR_TOO_LARGE (-2)
#define TP_ERR_MALFORMED (-3)
#define TP_ERR_VERSION (-4)

typedef struct {
  uint8_t kind, seq, command, status;
  const uint8_t *body; /* points into the caller's or the parser's buffer */
  size_t body_len;
} tp_frame_t;

uint16_t tp_crc16(const uint8_t *data, size_t len);

/* COBS. encode: out needs len + len/254 + 1 bytes; returns bytes written. decode: returns bytes or -1. */
size_t tp_cobs_encode(const uint8_t *in, size_t len, uint8_t *out);
long tp_cobs_decode(const uint8_t *in, size_t len, uint8_t *out);

/* Encodes a whole wire frame (with both delimiters) into out; returns its length, or 0 if it does not fit. */
size_t tp_frame_encode(const tp_frame_t *frame, uint8_t *out, size_t out_size);

/* Checks raw (COBS-decoded) frame bytes: length, CRC, version, kind. frame->body points into raw. */
int tp_frame_decode(const uint8_t *raw, size_t len, tp_frame_t *frame);

/* Streaming parser: feed received bytes one at a time (e.g. from the UART ISR ring buffer). */
typedef struct {
  uint8_t buf[TP_MAX_ENCODED];
  uint8_t frame[TP_MAX_FRAME];
  size_t len;
  size_t marks[TP_MAX_PAUSE_MARKS]; /* offsets in buf where a pause happened, oldest first */
  uint8_t mark_count;
  uint8_t discarding;
  uint32_t errors; /* running count of framing errors */
} tp_parser_t;

void tp_parser_init(tp_parser_t *p);
/* Call when no byte arrived for the inter-byte timeout (50 ms at 115200 baud). It drops nothing: at the next
   delimiter the whole block is tried first, and only if it does not check out, the bytes after each pause. So a
   frame that was merely slow is kept, and a frame sent after an abandoned partial one is still found. */
void tp_parser_pause(tp_parser_t *p);
/* Drops a partial frame unconditionally (e.g. after the UART reported an overrun). */
void tp_parser_reset(tp_parser_t *p);
/* On TP_FRAME_READY, *frame is valid until the next call. */
int tp_parser_feed(tp_parser_t *p, uint8_t byte, tp_frame_t *frame);

/* Event numbering (docs/serial-protocol.md 4.1): every event carries the next value of an 8-bit counter, and the
   SUBSCRIBE response announces it with an "event_seq" record, so the host detects a lost event. */
typedef struct {
  uint8_t last_seq; /* seq of the last event sent; start at 0 */
} tp_event_counter_t;

/* Encodes an EVENT frame with seq = last_seq + 1 (wrapping); the counter advances only when the frame fits.
   Returns the wire length, or 0. */
size_t tp_event_encode(tp_event_counter_t *c, uint8_t code, const uint8_t *body, size_t body_len, uint8_t *out, size_t out_size);

/* Body records: key length, key, type tag, value. */
enum tp_tag { TP_TAG_BOOL = 'b', TP_TAG_INT = 'i', TP_TAG_FLOAT = 'f', TP_TAG_STRING = 's' };

typedef struct {
  uint8_t *buf;
  size_t cap, len;
  int overflow; /* set when a record did not fit; the body is then incomplete */
} tp_writer_t;

void tp_writer_init(tp_writer_t *w, uint8_t *buf, size_t cap);
void tp_put_bool(tp_writer_t *w, const char *key, int value);
void tp_put_int(tp_writer_t *w, const char *key, int32_t value);
void tp_put_float(tp_writer_t *w, const char *key, float value);
void tp_put_str(tp_writer_t *w, const char *key, const char *value);
void tp_put_strn(tp_writer_t *w, const char *key, const char *value, size_t len);
/* The SUBSCRIBE response record "event_seq" (int) that announces numbered events. */
void tp_put_event_seq(tp_writer_t *w, const tp_event_counter_t *c);

typedef struct {
  const char *key; /* not NUL-terminated */
  uint8_t key_len;
  uint8_t tag;
  union {
    int b;
    int32_t i;
    float f;
    struct {
      const char *ptr; /* not NUL-terminated */
      uint8_t len;
    } s;
  } v;
} tp_record_t;

typedef struct {
  const uint8_t *body;
  size_t len, pos;
} tp_reader_t;

void tp_reader_init(tp_reader_t *r, const uint8_t *body, size_t len);
/* 1 = *rec filled, 0 = end of body, TP_ERR_MALFORMED = truncated or unknown tag. */
int tp_next(tp_reader_t *r, tp_record_t *rec);
/* Compares a record key with a C string. */
int tp_key_is(const tp_record_t *rec, const char *key);

#endif /* TP_FRAME_H */
