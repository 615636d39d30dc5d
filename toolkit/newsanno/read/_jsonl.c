/* A strict reader of JSONL lines into Arrow-shaped column buffers, for one fixed schema.
 *
 * The columnar tier's fast reader (newsanno.native). It reads a block of lines, each one JSON
 * object, against a schema tree of structs, lists, strings, 64-bit integers and booleans, and
 * fills one set of buffers per schema node: a validity byte per entry, int32 offsets (strings,
 * lists) and data (string bytes, int64 values, bool bytes). Python turns them into Arrow arrays.
 *
 * It accepts a strict subset of what pyarrow's JSON reader accepts and must read it the same
 * way; anything else (a key it does not know or sees twice, a wrong JSON type, a negative, float
 * or long number, an escaped key, whitespace other than spaces and tabs, a lone surrogate, a
 * control character in a string, more than one value on a line) makes it refuse the whole block,
 * and the caller falls back to pyarrow's reader. It does not check UTF-8: the caller checks the
 * whole block first. No allocation failure or malformed input can make it read out of bounds:
 * every read is checked against the end of the block.
 *
 * Plain C99 with no Python API: loaded with ctypes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum { K_STRING = 0, K_INT64 = 1, K_BOOL = 2, K_STRUCT = 3, K_LIST = 4 };

typedef struct {
    char *p;
    int64_t len, cap;
} buf_t;

typedef struct {
    int kind;
    int nchild;
    int *child;          /* struct: its fields; list: its one value node */
    const char **name;   /* struct: the fields' names */
    int *namelen;
    buf_t valid, offs, data;
    int64_t count;       /* entries so far */
    int64_t items;       /* string: bytes so far; list: values so far */
} node_t;

typedef struct {
    int n;
    node_t *node;
    char *names;
    int failed;          /* an allocation failed: refuse */
} ctx_t;

static int grow(ctx_t *c, buf_t *b, int64_t more) {
    if (b->len + more <= b->cap) return 1;
    int64_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + more) cap *= 2;
    char *p = realloc(b->p, (size_t)cap);
    if (!p) { c->failed = 1; return 0; }
    b->p = p;
    b->cap = cap;
    return 1;
}

static int put(ctx_t *c, buf_t *b, const void *src, int64_t n) {
    if (!grow(c, b, n)) return 0;
    memcpy(b->p + b->len, src, (size_t)n);
    b->len += n;
    return 1;
}

static int put_byte(ctx_t *c, buf_t *b, uint8_t v) { return put(c, b, &v, 1); }

static int put_i32(ctx_t *c, buf_t *b, int64_t v) {
    if (v > INT32_MAX) return 0;
    int32_t w = (int32_t)v;
    return put(c, b, &w, 4);
}

static void reset(node_t *nd) {
    nd->valid.len = nd->offs.len = nd->data.len = 0;
    nd->count = nd->items = 0;
}

/* one null entry of a node (and of its struct fields, which Arrow needs as long as the struct) */
static int put_null(ctx_t *c, int i) {
    node_t *nd = &c->node[i];
    if (!put_byte(c, &nd->valid, 0)) return 0;
    nd->count++;
    switch (nd->kind) {
    case K_STRING: return put_i32(c, &nd->offs, nd->items);
    case K_INT64: { int64_t z = 0; return put(c, &nd->data, &z, 8); }
    case K_BOOL: return put_byte(c, &nd->data, 0);
    case K_LIST: return put_i32(c, &nd->offs, nd->items);
    case K_STRUCT:
        for (int k = 0; k < nd->nchild; k++)
            if (!put_null(c, nd->child[k])) return 0;
        return 1;
    }
    return 0;
}

typedef struct {
    const char *p, *end;
} cur_t;

static void ws(cur_t *s) {
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t')) s->p++;
}

static int hex4(const char *p, uint32_t *out) {
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        char ch = p[k];
        v <<= 4;
        if (ch >= '0' && ch <= '9') v |= (uint32_t)(ch - '0');
        else if (ch >= 'a' && ch <= 'f') v |= (uint32_t)(ch - 'a' + 10);
        else if (ch >= 'A' && ch <= 'F') v |= (uint32_t)(ch - 'A' + 10);
        else return 0;
    }
    *out = v;
    return 1;
}

/* whether any of 8 bytes is '"', '\\' or below 0x20 (maybe, when an earlier byte is: the exact
 * byte loop then decides) */
static int special8(const char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    const uint64_t ones = 0x0101010101010101ULL, high = 0x8080808080808080ULL;
    uint64_t q = v ^ (ones * '"'), b = v ^ (ones * '\\');
    uint64_t hit = ((v - ones * 0x20) & ~v) | ((q - ones) & ~q) | ((b - ones) & ~b);
    return (hit & high) != 0;
}

/* a string's content after its opening quote, unescaped into b; s ends after the closing quote */
static int string_into(ctx_t *c, cur_t *s, buf_t *b, int64_t *written) {
    const char *p = s->p, *end = s->end;
    int64_t before = b->len;
    for (;;) {
        const char *run = p;
        while (end - p >= 8 && !special8(p)) p += 8;
        while (p < end && *p != '"' && *p != '\\' && (uint8_t)*p >= 0x20) p++;
        if (p > run && !put(c, b, run, p - run)) return 0;
        if (p >= end || (uint8_t)*p < 0x20) return 0;
        if (*p == '"') { p++; break; }
        /* an escape */
        if (end - p < 2) return 0;
        char e = p[1];
        char out;
        p += 2;
        switch (e) {
        case '"': out = '"'; break;
        case '\\': out = '\\'; break;
        case '/': out = '/'; break;
        case 'b': out = '\b'; break;
        case 'f': out = '\f'; break;
        case 'n': out = '\n'; break;
        case 'r': out = '\r'; break;
        case 't': out = '\t'; break;
        case 'u': {
            uint32_t u;
            if (end - p < 4 || !hex4(p, &u)) return 0;
            p += 4;
            if (u >= 0xDC00 && u <= 0xDFFF) return 0;            /* a lone low surrogate */
            if (u >= 0xD800 && u <= 0xDBFF) {
                uint32_t lo;
                if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || !hex4(p + 2, &lo)) return 0;
                if (lo < 0xDC00 || lo > 0xDFFF) return 0;
                p += 6;
                u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
            }
            uint8_t w[4];
            int n;
            if (u < 0x80) { w[0] = (uint8_t)u; n = 1; }
            else if (u < 0x800) { w[0] = 0xC0 | (u >> 6); w[1] = 0x80 | (u & 0x3F); n = 2; }
            else if (u < 0x10000) {
                w[0] = 0xE0 | (u >> 12); w[1] = 0x80 | ((u >> 6) & 0x3F);
                w[2] = 0x80 | (u & 0x3F); n = 3;
            } else {
                w[0] = 0xF0 | (u >> 18); w[1] = 0x80 | ((u >> 12) & 0x3F);
                w[2] = 0x80 | ((u >> 6) & 0x3F); w[3] = 0x80 | (u & 0x3F); n = 4;
            }
            if (!put(c, b, w, n)) return 0;
            continue;
        }
        default: return 0;
        }
        if (!put_byte(c, b, (uint8_t)out)) return 0;
    }
    s->p = p;
    *written = b->len - before;
    return 1;
}

static int value(ctx_t *c, cur_t *s, int i);

static int object(ctx_t *c, cur_t *s, node_t *nd) {
    /* at '{' */
    s->p++;
    uint64_t seen = 0;
    ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
    } else {
        for (;;) {
            if (s->p >= s->end || *s->p != '"') return 0;
            const char *key = ++s->p;
            while (s->p < s->end && *s->p != '"' && *s->p != '\\' && (uint8_t)*s->p >= 0x20)
                s->p++;
            if (s->p >= s->end || *s->p != '"') return 0;   /* escaped or unterminated key */
            int len = (int)(s->p - key);
            s->p++;
            int k = 0;
            while (k < nd->nchild && (nd->namelen[k] != len || memcmp(nd->name[k], key, len)))
                k++;
            if (k == nd->nchild) return 0;                  /* a field the schema lacks */
            if (seen & ((uint64_t)1 << k)) return 0;       /* the same key twice */
            seen |= (uint64_t)1 << k;
            ws(s);
            if (s->p >= s->end || *s->p != ':') return 0;
            s->p++;
            ws(s);
            if (!value(c, s, nd->child[k])) return 0;
            ws(s);
            if (s->p >= s->end) return 0;
            if (*s->p == ',') { s->p++; ws(s); continue; }
            if (*s->p == '}') { s->p++; break; }
            return 0;
        }
    }
    for (int k = 0; k < nd->nchild; k++)
        if (!(seen & ((uint64_t)1 << k)) && !put_null(c, nd->child[k])) return 0;
    return 1;
}

static int literal(cur_t *s, const char *word, int n) {
    if (s->end - s->p < n || memcmp(s->p, word, (size_t)n)) return 0;
    s->p += n;
    return 1;
}

static int value(ctx_t *c, cur_t *s, int i) {
    node_t *nd = &c->node[i];
    if (s->p >= s->end) return 0;
    char ch = *s->p;
    if (ch == 'n') return literal(s, "null", 4) && put_null(c, i);
    switch (nd->kind) {
    case K_STRING: {
        if (ch != '"') return 0;
        s->p++;
        int64_t n;
        if (!string_into(c, s, &nd->data, &n)) return 0;
        nd->items += n;
        if (!put_i32(c, &nd->offs, nd->items)) return 0;
        break;
    }
    case K_INT64: {
        /* plain non-negative integers of at most 18 digits, no leading zero */
        const char *d = s->p;
        int64_t v = 0;
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9') v = v * 10 + (*s->p++ - '0');
        int64_t digits = s->p - d;
        if (digits == 0 || digits > 18 || (digits > 1 && *d == '0')) return 0;
        if (s->p < s->end && (*s->p == '.' || *s->p == 'e' || *s->p == 'E')) return 0;
        if (!put(c, &nd->data, &v, 8)) return 0;
        break;
    }
    case K_BOOL: {
        uint8_t v;
        if (literal(s, "true", 4)) v = 1;
        else if (literal(s, "false", 5)) v = 0;
        else return 0;
        if (!put_byte(c, &nd->data, v)) return 0;
        break;
    }
    case K_STRUCT:
        if (ch != '{' || !object(c, s, nd)) return 0;
        break;
    case K_LIST: {
        if (ch != '[') return 0;
        s->p++;
        ws(s);
        if (s->p < s->end && *s->p == ']') {
            s->p++;
        } else {
            for (;;) {
                if (!value(c, s, nd->child[0])) return 0;
                nd->items++;
                ws(s);
                if (s->p >= s->end) return 0;
                if (*s->p == ',') { s->p++; ws(s); continue; }
                if (*s->p == ']') { s->p++; break; }
                return 0;
            }
        }
        if (!put_i32(c, &nd->offs, nd->items)) return 0;
        break;
    }
    default:
        return 0;
    }
    nd->count++;
    return put_byte(c, &nd->valid, 1);
}

/* kind, nchild and first (into childs) per node; names: the field names of struct nodes' children,
 * NUL-separated in child order. Node 0 is the line (a struct). */
void *nj_new(int n, const int *kind, const int *nchild, const int *first, const int *childs,
             const char *names, int names_len) {
    ctx_t *c = calloc(1, sizeof(ctx_t));
    if (!c) return NULL;
    c->n = n;
    c->node = calloc((size_t)n, sizeof(node_t));
    c->names = malloc((size_t)names_len + 1);
    if (!c->node || !c->names) goto fail;
    memcpy(c->names, names, (size_t)names_len);
    c->names[names_len] = 0;
    const char *name = c->names;
    for (int i = 0; i < n; i++) {
        node_t *nd = &c->node[i];
        nd->kind = kind[i];
        nd->nchild = nchild[i];
        if (nd->kind == K_STRUCT && nd->nchild > 64) goto fail;
        nd->child = malloc(sizeof(int) * (size_t)(nchild[i] + 1));
        nd->name = malloc(sizeof(char *) * (size_t)(nchild[i] + 1));
        nd->namelen = malloc(sizeof(int) * (size_t)(nchild[i] + 1));
        if (!nd->child || !nd->name || !nd->namelen) goto fail;
        for (int k = 0; k < nchild[i]; k++) {
            nd->child[k] = childs[first[i] + k];
            if (nd->child[k] <= i || nd->child[k] >= n) goto fail;
            if (nd->kind == K_STRUCT) {
                nd->name[k] = name;
                nd->namelen[k] = (int)strlen(name);
                name += nd->namelen[k] + 1;
                if (name > c->names + names_len + 1) goto fail;
            }
        }
    }
    return c;
fail:
    if (c->node)
        for (int i = 0; i < n; i++) {
            free(c->node[i].child);
            free(c->node[i].name);
            free(c->node[i].namelen);
        }
    free(c->node);
    free(c->names);
    free(c);
    return NULL;
}

void nj_free(void *handle) {
    ctx_t *c = handle;
    if (!c) return;
    for (int i = 0; i < c->n; i++) {
        node_t *nd = &c->node[i];
        free(nd->child);
        free(nd->name);
        free(nd->namelen);
        free(nd->valid.p);
        free(nd->offs.p);
        free(nd->data.p);
    }
    free(c->node);
    free(c->names);
    free(c);
}

/* Read the lines of buf[0:len] (each ends with '\n', the last one may not; a '\r' may come
 * before it). Returns the number of lines read, or -1 when the block is refused. */
int64_t nj_parse(void *handle, const char *buf, int64_t len) {
    ctx_t *c = handle;
    c->failed = 0;
    for (int i = 0; i < c->n; i++) {
        node_t *nd = &c->node[i];
        reset(nd);
        if ((nd->kind == K_STRING || nd->kind == K_LIST) && !put_i32(c, &nd->offs, 0)) return -1;
    }
    cur_t s = {buf, buf + len};
    int64_t rows = 0;
    while (s.p < s.end) {
        ws(&s);
        if (s.p >= s.end || *s.p != '{') return -1;
        if (!object(c, &s, &c->node[0])) return -1;
        c->node[0].count++;
        if (!put_byte(c, &c->node[0].valid, 1)) return -1;
        ws(&s);
        if (s.p < s.end && *s.p == '\r') s.p++;
        if (s.p < s.end) {
            if (*s.p != '\n') return -1;
            s.p++;
        }
        rows++;
    }
    return c->failed ? -1 : rows;
}

/* Read the lines of buf[0:len] that the reader reads, each on its own, leaving out the others:
 * ok[k] = 1 or 0 for line k (at most cap lines). One pass; the buffers of a refused line are
 * rolled back to where its line began, and the line is skipped to its '\n' (a string cannot hold
 * a raw newline). The table then holds the rows of the lines read. Returns the number of lines,
 * or -1 when an allocation failed. */
int64_t nj_lines(void *handle, const char *buf, int64_t len, uint8_t *ok, int64_t cap) {
    ctx_t *c = handle;
    c->failed = 0;
    int64_t *snap = malloc(sizeof(int64_t) * 5 * (size_t)c->n);
    if (!snap) return -1;
    for (int i = 0; i < c->n; i++) {
        node_t *nd = &c->node[i];
        reset(nd);
        if ((nd->kind == K_STRING || nd->kind == K_LIST) && !put_i32(c, &nd->offs, 0)) {
            free(snap);
            return -1;
        }
    }
    int64_t rows = 0;
    cur_t s = {buf, buf + len};
    while (s.p < s.end && rows < cap) {
        for (int i = 0; i < c->n; i++) {
            node_t *nd = &c->node[i];
            int64_t *v = snap + 5 * i;
            v[0] = nd->valid.len; v[1] = nd->offs.len; v[2] = nd->data.len;
            v[3] = nd->count; v[4] = nd->items;
        }
        const char *line_end = memchr(s.p, '\n', (size_t)(s.end - s.p));
        if (!line_end) line_end = s.end;
        cur_t t = {s.p, line_end};
        int good = 0;
        ws(&t);
        if (t.p < t.end && *t.p == '{' && object(c, &t, &c->node[0])) {
            ws(&t);
            if (t.p < t.end && *t.p == '\r') t.p++;
            good = t.p == t.end && put_byte(c, &c->node[0].valid, 1);
        }
        if (c->failed) { free(snap); return -1; }
        if (good) {
            c->node[0].count++;
        } else {
            for (int i = 0; i < c->n; i++) {
                node_t *nd = &c->node[i];
                int64_t *v = snap + 5 * i;
                nd->valid.len = v[0]; nd->offs.len = v[1]; nd->data.len = v[2];
                nd->count = v[3]; nd->items = v[4];
            }
        }
        ok[rows++] = (uint8_t)good;
        s.p = line_end < s.end ? line_end + 1 : s.end;
    }
    free(snap);
    return rows;
}

/* What node i holds: which 0 validity, 1 offsets, 2 data. Sets *ptr, returns the byte length. */
int64_t nj_buffer(void *handle, int i, int which, const char **ptr) {
    ctx_t *c = handle;
    buf_t *b = which == 0 ? &c->node[i].valid : which == 1 ? &c->node[i].offs : &c->node[i].data;
    *ptr = b->p;
    return b->len;
}

int64_t nj_count(void *handle, int i) {
    ctx_t *c = handle;
    return c->node[i].count;
}

#ifndef NJ_SOURCE
#define NJ_SOURCE ""
#endif

/* The sha256 of the source this library was built from (newsanno.native.build passes it);
 * the loader refuses a library built from another source. */
const char *nj_source(void) { return NJ_SOURCE; }

/* Decodes the code point at *p (p < end) into *u and moves *p past it. Returns 0, or -1 for a
 * byte sequence that is not UTF-8 as Python's codec reads it (no overlong forms, no surrogates,
 * nothing above U+10FFFF). */
static int decode(const uint8_t **pp, const uint8_t *end, uint32_t *u) {
    const uint8_t *p = *pp;
    uint32_t b = *p;
    if (b < 0x80) { *u = b; *pp = p + 1; return 0; }
    int len = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 ? 2 : 0;
    if (!len || b > 0xF4 || end - p < len) return -1;
    uint32_t v = b & (0xFF >> (len + 1));
    for (int j = 1; j < len; j++) {
        if ((p[j] & 0xC0) != 0x80) return -1;
        v = (v << 6) | (p[j] & 0x3F);
    }
    if ((len == 3 && (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))) ||
        (len == 4 && (v < 0x10000 || v > 0x10FFFF)))
        return -1;
    *u = v;
    *pp = p + len;
    return 0;
}

/* The code points of n UTF-8 strings (data[offsets[i]:offsets[i+1]]) into cps, and where each
 * string starts among them into starts (n + 1 entries). cps needs room for one code point per
 * byte. When at is not NULL, it gets the byte (in data) where each code point starts, and one
 * more entry: where the last string ends. Returns the number of code points, or -1 for bytes
 * that are not UTF-8 (see decode). */
int64_t nj_utf32(const uint8_t *data, const int32_t *offsets, int64_t n, uint32_t *cps,
                 int64_t *starts, int32_t *at) {
    int64_t k = 0;
    for (int64_t i = 0; i < n; i++) {
        starts[i] = k;
        const uint8_t *p = data + offsets[i], *end = data + offsets[i + 1];
        if (end < p) return -1;
        while (p < end) {
            const uint8_t *q = p;  /* a run of ASCII bytes, found eight at a time */
            while (end - q >= 8) {
                uint64_t word;
                memcpy(&word, q, 8);
                if (word & 0x8080808080808080ull) break;
                q += 8;
            }
            while (q < end && *q < 0x80) q++;
            int64_t run = q - p, base = p - data;
            for (int64_t j = 0; j < run; j++) cps[k + j] = p[j];
            if (at)
                for (int64_t j = 0; j < run; j++) at[k + j] = (int32_t)(base + j);
            k += run;
            p = q;
            if (p < end) {
                if (at) at[k] = (int32_t)(p - data);
                if (decode(&p, end, &cps[k++])) return -1;
            }
        }
    }
    starts[n] = k;
    if (at) at[k] = n ? offsets[n] : 0;
    return k;
}

/* Compares span texts with their documents' texts. Document r is cps[doc_at[r]:doc_at[r+1]]
 * (ndocs of them), and the code point at q starts at byte at[q] of doc_data (at as nj_utf32
 * makes it, so at[doc_at[r+1]] is where document r ends). For each of n spans with ok[k] and
 * given[k] set, clears ok[k] unless the UTF-8 text data[offsets[k]:offsets[k+1]] is exactly
 * the code points start[k] .. end[k] - 1 of document row[k], byte for byte. Spans without
 * ok[k] or given[k] are left as they are. Returns 0. */
int64_t nj_spans(const uint8_t *doc_data, const int32_t *at, const int64_t *doc_at,
                 int64_t ndocs, const int64_t *row, const int64_t *start, const int64_t *end,
                 const uint8_t *data, const int32_t *offsets, const uint8_t *given, int64_t n,
                 uint8_t *ok) {
    for (int64_t k = 0; k < n; k++) {
        if (!ok[k] || !given[k]) continue;
        int64_t r = row[k];
        if (r < 0 || r >= ndocs || start[k] < 0 || start[k] > end[k] ||
            end[k] > doc_at[r + 1] - doc_at[r] || offsets[k + 1] < offsets[k]) {
            ok[k] = 0;
            continue;
        }
        int64_t from = at[doc_at[r] + start[k]], to = at[doc_at[r] + end[k]];
        int64_t size = offsets[k + 1] - offsets[k];
        if (to - from != size || memcmp(doc_data + from, data + offsets[k], (size_t)size))
            ok[k] = 0;
    }
    return 0;
}

/* The code points of cps[0:n] that table (tsize entries; the last stands for all code points
 * above) gives a class other than 0: their positions into pos and classes into cls, in order.
 * Returns how many, at most n. */
int64_t nj_classes(const uint32_t *cps, int64_t n, const uint8_t *table, int64_t tsize,
                   int64_t *pos, uint8_t *cls) {
    int64_t k = 0;
    uint32_t top = (uint32_t)(tsize - 1);
    for (int64_t i = 0; i < n; i++) {
        uint8_t c = table[cps[i] < top ? cps[i] : top];
        if (c) {
            pos[k] = i;
            cls[k++] = c;
        }
    }
    return k;
}

/* The newlines of data[0:n]: how many, and (when out is not NULL) their positions into out,
 * which has room for at most room of them. Returns the count, or -1 when out is too small. */
int64_t nj_newlines(const uint8_t *data, int64_t n, int64_t *out, int64_t room) {
    int64_t k = 0;
    const uint8_t *p = data, *end = data + n;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        if (out) {
            if (k >= room) return -1;
            out[k] = p - data;
        }
        k++;
        p++;
    }
    return k;
}

/* Whether n 64-bit keys are all distinct: 1 if they are, 0 if not, -1 when memory runs out. */
int64_t nj_distinct(const uint64_t *key, int64_t n) {
    if (n < 2) return 1;
    size_t size = 16;
    while (size < (size_t)n * 2) size <<= 1;
    uint64_t *slot = malloc(sizeof(uint64_t) * size);
    uint8_t *used = calloc(size, 1);
    if (!slot || !used) { free(slot); free(used); return -1; }
    int64_t all = 1;
    for (int64_t i = 0; i < n && all; i++) {
        uint64_t h = key[i] * 0x9E3779B97F4A7C15ull;
        size_t at = (size_t)(h ^ (h >> 29)) & (size - 1);
        while (used[at]) {
            if (slot[at] == key[i]) { all = 0; break; }
            at = (at + 1) & (size - 1);
        }
        used[at] = 1;
        slot[at] = key[i];
    }
    free(slot);
    free(used);
    return all;
}

/* Which of n documents hold a word of a trie once their covered spans are cut out.
 *
 * Document i is cps[doc_at[i]:doc_at[i+1]]. Span k covers its code points start[k] .. end[k] - 1
 * (within the document, row[k]); each run of covered code points is replaced by one code point
 * 0, which no word holds. The trie: node j's edges are first[j] .. first[j] + count[j] - 1,
 * sorted by edge_cp, each leading to edge_to; final[j] says a word ends at node j; node 0 is
 * the root. Sets out[i] to 1 where a word occurs in the cut text, else 0. Returns 0, or -1 when
 * memory runs out. */
int64_t nj_names(const uint32_t *cps, const int64_t *doc_at, int64_t n, const int64_t *row,
                 const int64_t *start, const int64_t *end, int64_t nspans, const int32_t *first,
                 const int32_t *count, const uint32_t *edge_cp, const int32_t *edge_to,
                 const uint8_t *final, uint8_t *out) {
    int64_t total = doc_at[n] - doc_at[0], longest = 0;
    for (int64_t i = 0; i < n; i++)
        if (doc_at[i + 1] - doc_at[i] > longest) longest = doc_at[i + 1] - doc_at[i];
    uint8_t *covered = calloc((size_t)total + 1, 1);
    uint32_t *cut = malloc(sizeof(uint32_t) * (size_t)(longest + 1));
    if (!covered || !cut) { free(covered); free(cut); return -1; }
    for (int64_t k = 0; k < nspans; k++) {
        if (row[k] < 0 || row[k] >= n) continue;
        int64_t size = doc_at[row[k] + 1] - doc_at[row[k]];
        int64_t a = start[k] < 0 ? 0 : start[k], b = end[k] > size ? size : end[k];
        if (a < b) memset(covered + doc_at[row[k]] - doc_at[0] + a, 1, (size_t)(b - a));
    }
    uint8_t starts[8192] = {0};  /* a bit per code point below 65536 that begins a word */
    for (int32_t e = first[0]; e < first[0] + count[0]; e++)
        if (edge_cp[e] < 65536) starts[edge_cp[e] >> 3] |= (uint8_t)(1 << (edge_cp[e] & 7));
    for (int64_t i = 0; i < n; i++) {
        int64_t len = 0;
        for (int64_t q = doc_at[i]; q < doc_at[i + 1]; q++) {
            if (!covered[q - doc_at[0]]) cut[len++] = cps[q];
            else if (q == doc_at[i] || !covered[q - 1 - doc_at[0]]) cut[len++] = 0;
        }
        uint8_t hit = final[0];
        for (int64_t j = 0; j < len && !hit; j++) {
            if (cut[j] < 65536 && !(starts[cut[j] >> 3] & (1 << (cut[j] & 7)))) continue;
            int32_t node = 0;
            for (int64_t t = j; t < len; t++) {
                uint32_t ch = cut[t];
                int32_t lo = first[node], hi = first[node] + count[node];
                while (lo < hi) {  /* the first edge not below ch */
                    int32_t mid = lo + (hi - lo) / 2;
                    if (edge_cp[mid] < ch) lo = mid + 1;
                    else hi = mid;
                }
                if (lo == first[node] + count[node] || edge_cp[lo] != ch) break;
                node = edge_to[lo];
                if (final[node]) { hit = 1; break; }
            }
        }
        out[i] = hit;
    }
    free(covered);
    free(cut);
    return 0;
}
