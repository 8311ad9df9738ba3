/* Touchpoint serial protocol v1 frame codec. See tp_frame.h and docs/serial-protocol.md. */
#include "tp_frame.h"

#include <string.h>

uint16_t tp_crc16(const uint8_t *data, size_t len) {
  /* CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, xorout 0. Check("123456789") = 0x29B1. */
  uint16_t crc = 0xFFFFu;
  size_t i;
  int bit;
  for (i = 0; i < len; i++) {
    crc ^= (uint16_t)((uint16_t)data[i] << 8);
    for (bit = 0; bit < 8; bit++) {
      crc = (crc & 0x8000u) ? (uint16_t)((crc << 1) ^ 0x1021u) : (uint16_t)(crc << 1);
    }
  }
  return crc;
}

size_t tp_cobs_encode(const uint8_t *in, size_t len, uint8_t *out) {
  size_t read = 0, write = 1, code_index = 0;
  uint8_t code = 1;
  while (read < len) {
    if (in[read] == 0) {
      out[code_index] = code;
      code_index = write++;
      code = 1;
    } else {
      out[write++] = in[read];
      code++;
      if (code == 0xFF) {
        out[code_index] = code;
        code_index = write++;
        code = 1;
      }
    }
    read++;
  }
  out[code_index] = code;
  return write;
}

long tp_cobs_decode(const uint8_t *in, size_t len, uint8_t *out) {
  size_t read = 0, write = 0;
  while (read < len) {
    uint8_t code = in[read];
    uint8_t i;
    if (code == 0 || read + code > len) return -1;
    read++;
    for (i = 1; i < code; i++) {
      if (in[read] == 0) return -1;
      out[write++] = in[read++];
    }
    if (code != 0xFF && read < len) out[write++] = 0;
  }
  return (long)write;
}

size_t tp_frame_encode(const tp_frame_t *frame, uint8_t *out, size_t out_size) {
  uint8_t raw[TP_MAX_FRAME];
  size_t raw_len = TP_HEADER_SIZE + frame->body_len + TP_CRC_SIZE;
  size_t encoded;
  uint16_t crc;
  if (raw_len > TP_MAX_FRAME) return 0;
  if (out_size < raw_len + raw_len / 254u + 3u) return 0;
  raw[0] = TP_PROTOCOL_VERSION;
  raw[1] = frame->kind;
  raw[2] = frame->seq;
  raw[3] = frame->command;
  raw[4] = frame->status;
  if (frame->body_len > 0) memcpy(raw + TP_HEADER_SIZE, frame->body, frame->body_len);
  crc = tp_crc16(raw, raw_len - TP_CRC_SIZE);
  raw[raw_len - 2] = (uint8_t)(crc >> 8);
  raw[raw_len - 1] = (uint8_t)(crc & 0xFFu);
  out[0] = 0;
  encoded = tp_cobs_encode(raw, raw_len, out + 1);
  out[encoded + 1] = 0;
  return encoded + 2;
}

int tp_frame_decode(const uint8_t *raw, size_t len, tp_frame_t *frame) {
  uint16_t crc;
  if (len < TP_MIN_FRAME) return TP_ERR_MALFORMED;
  if (len > TP_MAX_FRAME) return TP_ERR_TOO_LARGE;
  crc = tp_crc16(raw, len - TP_CRC_SIZE);
  if (raw[len - 2] != (uint8_t)(crc >> 8) || raw[len - 1] != (uint8_t)(crc & 0xFFu)) return TP_ERR_CRC;
  if (raw[0] != TP_PROTOCOL_VERSION) return TP_ERR_VERSION;
  if (raw[1] < TP_KIND_REQUEST || raw[1] > TP_KIND_EVENT) return TP_ERR_MALFORMED;
  frame->kind = raw[1];
  frame->seq = raw[2];
  frame->command = raw[3];
  frame->status = raw[4];
  frame->body = raw + TP_HEADER_SIZE;
  frame->body_len = len - TP_MIN_FRAME;
  return TP_FRAME_READY;
}

void tp_parser_init(tp_parser_t *p) {
  p->len = 0;
  p->mark_count = 0;
  p->discarding = 0;
  p->errors = 0;
}

void tp_parser_reset(tp_parser_t *p) {
  if (p->len > 0 || p->discarding) p->errors++;
  p->len = 0;
  p->mark_count = 0;
  p->discarding = 0;
}

void tp_parser_pause(tp_parser_t *p) {
  if (p->discarding) { /* an oversize block paused: what follows may be a frame without its leading delimiter */
    p->discarding = 0;
    p->errors++;
    return;
  }
  if (p->len == 0) return;
  if (p->mark_count == TP_MAX_PAUSE_MARKS) { /* keep the latest marks */
    memmove(p->marks, p->marks + 1, (TP_MAX_PAUSE_MARKS - 1u) * sizeof p->marks[0]);
    p->mark_count--;
  }
  p->marks[p->mark_count++] = p->len;
}

static int decode_block(tp_parser_t *p, size_t start, tp_frame_t *frame) {
  long decoded = tp_cobs_decode(p->buf + start, p->len - start, p->frame);
  if (decoded < 0) return TP_ERR_MALFORMED;
  return tp_frame_decode(p->frame, (size_t)decoded, frame);
}

int tp_parser_feed(tp_parser_t *p, uint8_t byte, tp_frame_t *frame) {
  int result;
  uint8_t i;
  if (byte != 0) {
    if (p->discarding) return TP_NEED_MORE;
    if (p->len == sizeof p->buf) {
      if (p->mark_count > 0) { /* bytes before the last pause cannot belong to this frame */
        size_t keep = p->marks[p->mark_count - 1u];
        memmove(p->buf, p->buf + keep, p->len - keep);
        p->len -= keep;
        p->mark_count = 0;
        p->errors++;
      } else {
        p->discarding = 1; /* oversize: skip to the next delimiter */
        p->len = 0;
        return TP_NEED_MORE;
      }
    }
    p->buf[p->len++] = byte;
    return TP_NEED_MORE;
  }
  if (p->discarding) {
    p->discarding = 0;
    p->errors++;
    return TP_ERR_TOO_LARGE;
  }
  if (p->len == 0) return TP_NEED_MORE; /* idle delimiter */
  result = decode_block(p, 0, frame);
  for (i = 0; result != TP_FRAME_READY && i < p->mark_count; i++) {
    if (decode_block(p, p->marks[i], frame) == TP_FRAME_READY) {
      p->errors++; /* the bytes before the pause */
      result = TP_FRAME_READY;
    }
  }
  p->len = 0;
  p->mark_count = 0;
  if (result != TP_FRAME_READY) p->errors++;
  return result;
}

size_t tp_event_encode(tp_event_counter_t *c, uint8_t code, const uint8_t *body, size_t body_len, uint8_t *out, size_t out_size) {
  tp_frame_t event;
  size_t n;
  event.kind = TP_KIND_EVENT;
  event.seq = (uint8_t)(c->last_seq + 1u);
  event.command = code;
  event.status = 0;
  event.body = body;
  event.body_len = body_len;
  n = tp_frame_encode(&event, out, out_size);
  if (n > 0) c->last_seq = event.seq;
  return n;
}

void tp_writer_init(tp_writer_t *w, uint8_t *buf, size_t cap) {
  w->buf = buf;
  w->cap = cap;
  w->len = 0;
  w->overflow = 0;
}

static int put_head(tp_writer_t *w, const char *key, uint8_t tag, size_t value_len) {
  size_t key_len = strlen(key);
  if (key_len == 0 || key_len > 63 || w->len + 2 + key_len + value_len > w->cap) {
    w->overflow = 1;
    return 0;
  }
  w->buf[w->len++] = (uint8_t)key_len;
  memcpy(w->buf + w->len, key, key_len);
  w->len += key_len;
  w->buf[w->len++] = tag;
  return 1;
}

static void put_u32le(tp_writer_t *w, uint32_t v) {
  w->buf[w->len++] = (uint8_t)(v & 0xFFu);
  w->buf[w->len++] = (uint8_t)((v >> 8) & 0xFFu);
  w->buf[w->len++] = (uint8_t)((v >> 16) & 0xFFu);
  w->buf[w->len++] = (uint8_t)((v >> 24) & 0xFFu);
}

void tp_put_bool(tp_writer_t *w, const char *key, int value) {
  if (put_head(w, key, TP_TAG_BOOL, 1)) w->buf[w->len++] = value ? 1u : 0u;
}

void tp_put_int(tp_writer_t *w, const char *key, int32_t value) {
  if (put_head(w, key, TP_TAG_INT, 4)) put_u32le(w, (uint32_t)value);
}

void tp_put_float(tp_writer_t *w, const char *key, float value) {
  uint32_t bits;
  memcpy(&bits, &value, sizeof bits); /* IEEE 754 single, sent little-endian whatever the host order */
  if (put_head(w, key, TP_TAG_FLOAT, 4)) put_u32le(w, bits);
}

void tp_put_strn(tp_writer_t *w, const char *key, const char *value, size_t len) {
  if (len > 255) {
    w->overflow = 1;
    return;
  }
  if (put_head(w, key, TP_TAG_STRING, 1 + len)) {
    w->buf[w->len++] = (uint8_t)len;
    memcpy(w->buf + w->len, value, len);
    w->len += len;
  }
}

void tp_put_str(tp_writer_t *w, const char *key, const char *value) { tp_put_strn(w, key, value, strlen(value)); }

void tp_put_event_seq(tp_writer_t *w, const tp_event_counter_t *c) { tp_put_int(w, "event_seq", (int32_t)c->last_seq); }

void tp_reader_init(tp_reader_t *r, const uint8_t *body, size_t len) {
  r->body = body;
  r->len = len;
  r->pos = 0;
}

static uint32_t get_u32le(const uint8_t *p) {
  return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}

int tp_next(tp_reader_t *r, tp_record_t *rec) {
  size_t left;
  uint8_t key_len;
  uint32_t bits;
  if (r->pos >= r->len) return 0;
  key_len = r->body[r->pos];
  left = r->len - r->pos - 1;
  if (key_len == 0 || key_len > 63 || left < (size_t)key_len + 1) return TP_ERR_MALFORMED;
  rec->key = (const char *)r->body + r->pos + 1;
  rec->key_len = key_len;
  r->pos += 1u + key_len;
  rec->tag = r->body[r->pos++];
  left = r->len - r->pos;
  switch (rec->tag) {
    case TP_TAG_BOOL:
      if (left < 1) return TP_ERR_MALFORMED;
      rec->v.b = r->body[r->pos++] != 0;
      return 1;
    case TP_TAG_INT:
      if (left < 4) return TP_ERR_MALFORMED;
      rec->v.i = (int32_t)get_u32le(r->body + r->pos);
      r->pos += 4;
      return 1;
    case TP_TAG_FLOAT:
      if (left < 4) return TP_ERR_MALFORMED;
      bits = get_u32le(r->body + r->pos);
      memcpy(&rec->v.f, &bits, sizeof bits);
      r->pos += 4;
      return 1;
    case TP_TAG_STRING:
      if (left < 1 || left - 1 < r->body[r->pos]) return TP_ERR_MALFORMED;
      rec->v.s.len = r->body[r->pos];
      rec->v.s.ptr = (const char *)r->body + r->pos + 1;
      r->pos += 1u + rec->v.s.len;
      return 1;
    default:
      return TP_ERR_MALFORMED;
  }
}

int tp_key_is(const tp_record_t *rec, const char *key) {
  return strlen(key) == rec->key_len && memcmp(rec->key, key, rec->key_len) == 0;
}
