/*
 * cnvbeacon.ingest._record_scan: the compiled fast path of cnvbeacon.ingest.vcf.
 *
 * RecordScanner.scan(lines, index, line_number, batch, skipped) turns VCF record lines into
 * call documents exactly as VcfReader's reference scan (VcfReader._scan) does. It reads
 * column values from the reader's caches and calls the reader's own parsers for values not
 * in them (which raise the reader's errors and fill the caches); every line outside the
 * common case (a bad POS or END, QUAL or SM not in plain decimal notation, non-ASCII text, a
 * wrong column count...) goes whole to the reader's Python code for a record. So the Python
 * code decides every meaning and every error; this file only avoids the interpreter's
 * overhead per record, which bounded the parser at ~3.5x pysam's cost. Tests compare both
 * paths document by document (tests/ingest/test_record_scan.py).
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <stdint.h>
#include <string.h>

/* Keys the scanner sets on a copy of the sample's document template (CnvCall fields). */
enum {
    KEY_ID,
    KEY_CHROM,
    KEY_START,
    KEY_END,
    KEY_LENGTH,
    KEY_LENGTH_CLASS,
    KEY_VARIANT_TYPE,
    KEY_EFO_ID,
    KEY_COPY_NUMBER,
    KEY_COPY_RATIO,
    KEY_GENOTYPE,
    KEY_ZYGOSITY_ID,
    KEY_QUALITY,
    KEY_FILTERS,
    KEY_IS_PASS,
    KEY_VCF_ID,
    KEY_SOURCE_LINE,
    KEY_COUNT
};

static const char *const KEY_NAMES[KEY_COUNT] = {
    "_id",          "chrom",    "start",     "end",         "length",
    "length_class", "variant_type", "efo_id", "copy_number", "copy_ratio",
    "genotype",     "zygosity_id", "quality", "filters",     "is_pass",
    "vcf_id",       "source_line",
};

/* Outcome of the fast path for one record line. */
enum { LINE_ERROR = -1, LINE_SKIPPED = 0, LINE_PRODUCED = 1, LINE_FALLBACK = 2 };

/* Positions of GT, CN, SM (the _FormatIndices tuple) and the FIXED columns. */
enum { COL_CHROM, COL_POS, COL_ID, COL_REF, COL_ALT, COL_QUAL, COL_FILTER, COL_INFO, COL_FORMAT };
#define FIRST_SAMPLE_COLUMN 9
/* More digits than this may not fit in a 64-bit integer: left to Python's int(). */
#define MAX_DIGITS 18
#define FINITE_LIMIT 1e308

/* The last distinct text of a column and its cached value: consecutive records mostly repeat
 * CHROM, ALT, FILTER and FORMAT, so most lookups are a memcmp. */
typedef struct {
    PyObject *key;
    PyObject *value;
    int reusable; /* the value is in the reader's cache (a pure function of the text) */
} Memo;

enum { MEMO_CONTIG, MEMO_ALT, MEMO_FILTER, MEMO_FORMAT, MEMO_COUNT };

typedef struct {
    PyObject_HEAD
    /* The reader's caches (dicts it owns and fills; only read here). */
    PyObject *contigs;
    PyObject *alts;
    PyObject *filters;
    PyObject *formats;
    PyObject *outcomes;
    /* The reader's parsers for values not in the caches: they cache what they return (or
     * not, where the value depends on more than the text) and raise VcfFormatError. */
    PyObject *contig_of;
    PyObject *alt_of;
    PyObject *filter_of;
    PyObject *format_of;
    PyObject *outcome_of;
    PyObject *end_of;
    /* The reader's code for a whole record line, for every line this fast path leaves. */
    PyObject *record_calls;
    /* Per sample column: (is_male, document template, biosample id). */
    PyObject *samples;
    PyObject *id_prefix;
    PyObject *event_directions;
    PyObject *event_skips;
    PyObject *svtype_directions;
    PyObject *ref_segment;
    PyObject *copy_neutral;
    PyObject *no_carrier;
    PyObject *keys[KEY_COUNT];
    PyObject *baseline_two; /* the autosomal baseline ploidy */
    PyObject *baseline_one;
    Memo memos[MEMO_COUNT];
    Py_ssize_t column_count;
    Py_ssize_t sample_count;
    Py_ssize_t batch_size;
    long max_length_class;
    /* Field boundaries of the current line: starts[i] .. stops[i]. */
    Py_ssize_t *starts;
    Py_ssize_t *stops;
} RecordScanner;

#define SCANNER_OBJECTS(APPLY)                                                                  \
    APPLY(contigs)                                                                              \
    APPLY(alts)                                                                                 \
    APPLY(filters)                                                                              \
    APPLY(formats)                                                                              \
    APPLY(outcomes)                                                                             \
    APPLY(contig_of)                                                                            \
    APPLY(alt_of)                                                                               \
    APPLY(filter_of)                                                                            \
    APPLY(format_of)                                                                            \
    APPLY(outcome_of)                                                                           \
    APPLY(end_of)                                                                               \
    APPLY(record_calls)                                                                         \
    APPLY(samples)                                                                              \
    APPLY(id_prefix)                                                                            \
    APPLY(event_directions)                                                                     \
    APPLY(event_skips)                                                                          \
    APPLY(svtype_directions)                                                                    \
    APPLY(ref_segment)                                                                          \
    APPLY(copy_neutral)                                                                         \
    APPLY(no_carrier)

static int
scanner_traverse(RecordScanner *self, visitproc visit, void *arg)
{
#define VISIT(name) Py_VISIT(self->name);
    SCANNER_OBJECTS(VISIT)
#undef VISIT
    for (int i = 0; i < MEMO_COUNT; i++) {
        Py_VISIT(self->memos[i].value);
    }
    return 0;
}

static int
scanner_clear(RecordScanner *self)
{
#define CLEAR(name) Py_CLEAR(self->name);
    SCANNER_OBJECTS(CLEAR)
#undef CLEAR
    for (int i = 0; i < KEY_COUNT; i++) {
        Py_CLEAR(self->keys[i]);
    }
    for (int i = 0; i < MEMO_COUNT; i++) {
        Py_CLEAR(self->memos[i].key);
        Py_CLEAR(self->memos[i].value);
    }
    Py_CLEAR(self->baseline_two);
    Py_CLEAR(self->baseline_one);
    return 0;
}

static void
scanner_dealloc(RecordScanner *self)
{
    PyObject_GC_UnTrack(self);
    scanner_clear(self);
    PyMem_Free(self->starts);
    PyMem_Free(self->stops);
    Py_TYPE(self)->tp_free((PyObject *)self);
}

static int
require_type(PyObject *value, PyTypeObject *type, const char *name)
{
    if (!PyObject_TypeCheck(value, type)) {
        PyErr_Format(PyExc_TypeError, "%s must be a %s, not %.100s", name, type->tp_name,
                     Py_TYPE(value)->tp_name);
        return -1;
    }
    return 0;
}

static int
scanner_init(RecordScanner *self, PyObject *args, PyObject *kwargs)
{
    static char *names[] = {
        "contigs",      "alts",         "filters",      "formats",
        "outcomes",     "contig_of",    "alt_of",       "filter_of",
        "format_of",    "outcome_of",   "end_of",       "record_calls",
        "samples",      "id_prefix",    "event_directions", "event_skips",
        "svtype_directions", "ref_segment", "copy_neutral", "no_carrier",
        "column_count", "batch_size",   "max_length_class", NULL,
    };
    PyObject *values[20];
    Py_ssize_t column_count, batch_size;
    long max_length_class;
    if (!PyArg_ParseTupleAndKeywords(
            args, kwargs, "$OOOOOOOOOOOOOOOOOOOOnnl", names, &values[0], &values[1],
            &values[2], &values[3], &values[4], &values[5], &values[6], &values[7], &values[8],
            &values[9], &values[10], &values[11], &values[12], &values[13], &values[14],
            &values[15], &values[16], &values[17], &values[18], &values[19], &column_count,
            &batch_size, &max_length_class)) {
        return -1;
    }
    PyTypeObject *types[20] = {
        &PyDict_Type, &PyDict_Type, &PyDict_Type, &PyDict_Type, &PyDict_Type,
        NULL,         NULL,         NULL,         NULL,         NULL,
        NULL,         NULL,         &PyTuple_Type, &PyUnicode_Type, &PyDict_Type,
        &PyDict_Type, &PyDict_Type, &PyUnicode_Type, &PyUnicode_Type, &PyUnicode_Type,
    };
    for (int i = 0; i < 20; i++) {
        if (types[i] != NULL ? require_type(values[i], types[i], names[i]) < 0
                             : !PyCallable_Check(values[i])) {
            if (!PyErr_Occurred()) {
                PyErr_Format(PyExc_TypeError, "%s must be callable", names[i]);
            }
            return -1;
        }
    }
    PyObject *samples = values[12];
    Py_ssize_t sample_count = PyTuple_GET_SIZE(samples);
    if (sample_count > 0 ? column_count != FIRST_SAMPLE_COLUMN + sample_count
                         : column_count != 8 && column_count != FIRST_SAMPLE_COLUMN) {
        PyErr_SetString(PyExc_ValueError, "column_count does not match the samples");
        return -1;
    }
    if (batch_size < 1 || max_length_class < 0) {
        PyErr_SetString(PyExc_ValueError, "batch_size must be >= 1, max_length_class >= 0");
        return -1;
    }
    for (Py_ssize_t i = 0; i < sample_count; i++) {
        PyObject *sample = PyTuple_GET_ITEM(samples, i);
        if (!PyTuple_Check(sample) || PyTuple_GET_SIZE(sample) != 3
            || !PyBool_Check(PyTuple_GET_ITEM(sample, 0))
            || !PyDict_CheckExact(PyTuple_GET_ITEM(sample, 1))
            || !PyUnicode_Check(PyTuple_GET_ITEM(sample, 2))) {
            PyErr_SetString(PyExc_TypeError,
                            "samples must be (is_male, template dict, biosample id) tuples");
            return -1;
        }
    }
    scanner_clear(self);
    PyObject **fields[20] = {
        &self->contigs,      &self->alts,         &self->filters,      &self->formats,
        &self->outcomes,     &self->contig_of,    &self->alt_of,       &self->filter_of,
        &self->format_of,    &self->outcome_of,   &self->end_of,       &self->record_calls,
        &self->samples,      &self->id_prefix,    &self->event_directions, &self->event_skips,
        &self->svtype_directions, &self->ref_segment, &self->copy_neutral, &self->no_carrier,
    };
    for (int i = 0; i < 20; i++) {
        *fields[i] = Py_NewRef(values[i]);
    }
    for (int i = 0; i < KEY_COUNT; i++) {
        self->keys[i] = PyUnicode_InternFromString(KEY_NAMES[i]);
        if (self->keys[i] == NULL) {
            return -1;
        }
    }
    self->baseline_two = PyLong_FromLong(2);
    self->baseline_one = PyLong_FromLong(1);
    if (self->baseline_two == NULL || self->baseline_one == NULL) {
        return -1;
    }
    self->column_count = column_count;
    self->sample_count = sample_count;
    self->batch_size = batch_size;
    self->max_length_class = max_length_class;
    PyMem_Free(self->starts);
    PyMem_Free(self->stops);
    self->starts = PyMem_New(Py_ssize_t, column_count);
    self->stops = PyMem_New(Py_ssize_t, column_count);
    if (self->starts == NULL || self->stops == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    return 0;
}

/* Non-negative whole number of 1..MAX_DIGITS ASCII digits, as Python's isdigit() + int()
 * read them for ASCII text; -1 for anything else (left to the Python path). */
static int64_t
parse_digits(const char *text, Py_ssize_t length)
{
    if (length < 1 || length > MAX_DIGITS) {
        return -1;
    }
    int64_t value = 0;
    for (Py_ssize_t i = 0; i < length; i++) {
        unsigned digit = (unsigned char)text[i] - '0';
        if (digit > 9) {
            return -1;
        }
        value = value * 10 + digit;
    }
    return value;
}

static int
equals(const char *text, Py_ssize_t length, const char *literal)
{
    size_t literal_length = strlen(literal);
    return (size_t)length == literal_length && memcmp(text, literal, literal_length) == 0;
}

/* First occurrence of needle in text[0:length], or -1. */
static Py_ssize_t
find(const char *text, Py_ssize_t length, const char *needle)
{
    Py_ssize_t needle_length = (Py_ssize_t)strlen(needle);
    for (Py_ssize_t i = 0; i + needle_length <= length; i++) {
        if (text[i] == needle[0] && memcmp(text + i, needle, (size_t)needle_length) == 0) {
            return i;
        }
    }
    return -1;
}

/* A QUAL or SM value as the Python path reads it: None for "." or empty, else float(text)
 * if finite. Only plain decimal notation is read here (no spaces, underscores, inf or nan),
 * where PyOS_string_to_double and float() agree; NULL with *fallback set (and no exception)
 * leaves anything else to the Python path. */
static PyObject *
finite_number(const char *text, Py_ssize_t length, int *fallback)
{
    char buffer[64];
    if (length == 0 || (length == 1 && text[0] == '.')) {
        Py_RETURN_NONE;
    }
    if (length >= (Py_ssize_t)sizeof(buffer)) {
        *fallback = 1;
        return NULL;
    }
    for (Py_ssize_t i = 0; i < length; i++) {
        char c = text[i];
        if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+'
              || c == '-')) {
            *fallback = 1;
            return NULL;
        }
    }
    memcpy(buffer, text, (size_t)length);
    buffer[length] = '\0';
    char *stop;
    double value = PyOS_string_to_double(buffer, &stop, NULL);
    if (value == -1.0 && PyErr_Occurred()) {
        if (!PyErr_ExceptionMatches(PyExc_ValueError)) {
            return NULL;
        }
        PyErr_Clear();
        *fallback = 1;
        return NULL;
    }
    if (stop != buffer + length || !(-FINITE_LIMIT < value && value < FINITE_LIMIT)) {
        *fallback = 1;
        return NULL;
    }
    return PyFloat_FromDouble(value);
}

/* Bounds of an INFO key's value as _info_value finds it: "KEY=" at the start, else the first
 * ";KEY="; 0 if absent. */
static int
info_value(const char *info, Py_ssize_t length, const char *key, Py_ssize_t *value_start,
           Py_ssize_t *value_stop)
{
    char needle[32];
    size_t key_length = strlen(key);
    Py_ssize_t start;
    if ((size_t)length > key_length && memcmp(info, key, key_length) == 0
        && info[key_length] == '=') {
        start = (Py_ssize_t)key_length + 1;
    }
    else {
        needle[0] = ';';
        memcpy(needle + 1, key, key_length);
        needle[key_length + 1] = '=';
        needle[key_length + 2] = '\0';
        Py_ssize_t found = find(info, length, needle);
        if (found < 0) {
            return 0;
        }
        start = found + (Py_ssize_t)key_length + 2;
    }
    Py_ssize_t stop = start;
    while (stop < length && info[stop] != ';') {
        stop++;
    }
    *value_start = start;
    *value_stop = stop;
    return 1;
}

/* The cached value of line[start:stop] (a borrowed reference, valid until this memo slot
 * changes): from the memo, else the reader's cache dict, else the reader's parser called
 * with the text (and `second`, if not NULL). NULL with an exception if the parser raised.
 * *text is set to the text (borrowed likewise). */
static PyObject *
cached_value(Memo *memo, PyObject *cache, PyObject *parse, PyObject *second, PyObject *line,
             const char *data, Py_ssize_t start, Py_ssize_t stop, PyObject **text)
{
    Py_ssize_t length = stop - start;
    if (memo->reusable && PyUnicode_GET_LENGTH(memo->key) == length
        && memcmp(PyUnicode_1BYTE_DATA(memo->key), data + start, (size_t)length) == 0) {
        *text = memo->key;
        return memo->value;
    }
    PyObject *key = PyUnicode_Substring(line, start, stop);
    if (key == NULL) {
        return NULL;
    }
    int reusable = 1;
    PyObject *value = PyDict_GetItemWithError(cache, key);
    if (value != NULL) {
        Py_INCREF(value);
    }
    else if (PyErr_Occurred()) {
        Py_DECREF(key);
        return NULL;
    }
    else {
        value = second != NULL ? PyObject_CallFunctionObjArgs(parse, key, second, NULL)
                               : PyObject_CallOneArg(parse, key);
        /* Only values the parser cached are pure functions of the text. */
        reusable = value != NULL ? PyDict_Contains(cache, key) : -1;
        if (reusable < 0) {
            Py_XDECREF(value);
            Py_DECREF(key);
            return NULL;
        }
    }
    Py_XSETREF(memo->key, key);
    Py_XSETREF(memo->value, value);
    memo->reusable = reusable;
    *text = key;
    return value;
}

/* Decimal digits of a non-negative number, written at the end of buffer; returns the first. */
static char *
decimal(char *buffer_end, Py_ssize_t value)
{
    char *out = buffer_end;
    do {
        *--out = (char)('0' + value % 10);
        value /= 10;
    } while (value > 0);
    return out;
}

/* f"{prefix}{line_number}:{sample_index}{suffix}", the _id of a call. */
static PyObject *
document_id(PyObject *prefix, Py_ssize_t line_number, Py_ssize_t sample_index, PyObject *suffix)
{
    if (!PyUnicode_IS_ASCII(prefix) || !PyUnicode_IS_ASCII(suffix)) {
        return PyUnicode_FromFormat("%U%zd:%zd%U", prefix, line_number, sample_index, suffix);
    }
    char line_digits[24], sample_digits[24];
    char *line_text = decimal(line_digits + sizeof(line_digits), line_number);
    char *sample_text = decimal(sample_digits + sizeof(sample_digits), sample_index);
    Py_ssize_t line_length = line_digits + sizeof(line_digits) - line_text;
    Py_ssize_t sample_length = sample_digits + sizeof(sample_digits) - sample_text;
    Py_ssize_t prefix_length = PyUnicode_GET_LENGTH(prefix);
    Py_ssize_t suffix_length = PyUnicode_GET_LENGTH(suffix);
    PyObject *text =
        PyUnicode_New(prefix_length + line_length + 1 + sample_length + suffix_length, 127);
    if (text == NULL) {
        return NULL;
    }
    char *out = (char *)PyUnicode_1BYTE_DATA(text);
    memcpy(out, PyUnicode_1BYTE_DATA(prefix), (size_t)prefix_length);
    out += prefix_length;
    memcpy(out, line_text, (size_t)line_length);
    out += line_length;
    *out++ = ':';
    memcpy(out, sample_text, (size_t)sample_length);
    out += sample_length;
    memcpy(out, PyUnicode_1BYTE_DATA(suffix), (size_t)suffix_length);
    return text;
}

/* floor(log10(length)) capped, as cnvbeacon.shared.intervals.length_class (length >= 1). */
static long
length_class(int64_t length, long max_length_class)
{
    long digits = 0;
    while (length > 0) {
        digits++;
        length /= 10;
    }
    return digits - 1 < max_length_class ? digits - 1 : max_length_class;
}

/* Whether the midpoint of [start, end) lies in one of the (start, end) regions, as
 * cnvbeacon.ingest.assemblies.midpoint_in_regions; -1 on error. */
static int
in_regions(PyObject *regions, int64_t start, int64_t end)
{
    int64_t midpoint = (start + end) / 2; /* both >= 0: the same as Python's // */
    if (!PyTuple_Check(regions)) {
        PyErr_SetString(PyExc_TypeError, "pseudoautosomal regions must be a tuple");
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyTuple_GET_SIZE(regions); i++) {
        PyObject *region = PyTuple_GET_ITEM(regions, i);
        if (!PyTuple_Check(region) || PyTuple_GET_SIZE(region) != 2) {
            PyErr_SetString(PyExc_TypeError, "a region must be a (start, end) tuple");
            return -1;
        }
        long long region_start = PyLong_AsLongLong(PyTuple_GET_ITEM(region, 0));
        long long region_end = PyLong_AsLongLong(PyTuple_GET_ITEM(region, 1));
        if (PyErr_Occurred()) {
            return -1;
        }
        if (region_start <= midpoint && midpoint < region_end) {
            return 1;
        }
    }
    return 0;
}

/* The fast path for one record line. On LINE_SKIPPED *reason is a new reference. */
static int
record_calls(RecordScanner *self, PyObject *line, Py_ssize_t line_number, PyObject *batch,
             PyObject **reason)
{
    if (!PyUnicode_IS_ASCII(line)) {
        return LINE_FALLBACK;
    }
    const char *data = (const char *)PyUnicode_1BYTE_DATA(line);
    Py_ssize_t length = PyUnicode_GET_LENGTH(line);
    Py_ssize_t *starts = self->starts, *stops = self->stops;
    Py_ssize_t column = 0;
    starts[0] = 0;
    for (const char *tab = memchr(data, '\t', (size_t)length); tab != NULL;
         tab = memchr(tab + 1, '\t', (size_t)(data + length - tab - 1))) {
        if (column + 1 >= self->column_count) {
            return LINE_FALLBACK; /* too many columns: the Python path reports it */
        }
        stops[column] = tab - data;
        starts[++column] = tab - data + 1;
    }
    stops[column] = length;
    if (column + 1 != self->column_count) {
        return LINE_FALLBACK;
    }
#define FIELD(c) (data + starts[c])
#define FIELD_LENGTH(c) (stops[c] - starts[c])

    int status = LINE_FALLBACK;
    int fallback = 0;
    PyObject *line_object = NULL, *event = NULL, *start_object = NULL, *end_object = NULL;
    PyObject *length_object = NULL, *size_class = NULL, *vcf_id = NULL, *quality = NULL;
    PyObject *svtype_direction = NULL, *male_baseline = NULL, *text;
    Py_ssize_t batch_length_before = PyList_GET_SIZE(batch);

    line_object = PyLong_FromSsize_t(line_number);
    if (line_object == NULL) {
        goto error;
    }
    /* _Contig(chrom, length, sex_chromosome, pseudoautosomal_regions) */
    PyObject *contig = cached_value(&self->memos[MEMO_CONTIG], self->contigs, self->contig_of,
                                    line_object, line, data, starts[COL_CHROM],
                                    stops[COL_CHROM], &text);
    if (contig == NULL) {
        goto error;
    }
    int64_t start = parse_digits(FIELD(COL_POS), FIELD_LENGTH(COL_POS));
    if (start < 0) {
        goto done;
    }
    if (equals(FIELD(COL_ALT), FIELD_LENGTH(COL_ALT), ".")
        || equals(FIELD(COL_ALT), FIELD_LENGTH(COL_ALT), "<*>")
        || equals(FIELD(COL_ALT), FIELD_LENGTH(COL_ALT), "<NON_REF>")) {
        *reason = Py_NewRef(self->ref_segment);
        status = LINE_SKIPPED;
        goto done;
    }
    PyObject *ref = PyUnicode_Substring(line, starts[COL_REF], stops[COL_REF]);
    if (ref == NULL) {
        goto error;
    }
    PyObject *alt_text;
    /* _Alt(alleles, skip_reason, needs_svtype) */
    PyObject *alt = cached_value(&self->memos[MEMO_ALT], self->alts, self->alt_of, ref, line,
                                 data, starts[COL_ALT], stops[COL_ALT], &alt_text);
    Py_DECREF(ref);
    if (alt == NULL) {
        goto error;
    }
    PyObject *alt_skip = PyTuple_GET_ITEM(alt, 1);
    if (alt_skip != Py_None) {
        *reason = Py_NewRef(alt_skip);
        status = LINE_SKIPPED;
        goto done;
    }
    const char *id = FIELD(COL_ID);
    Py_ssize_t id_length = FIELD_LENGTH(COL_ID);
    if (id_length > 7 && memcmp(id, "DRAGEN:", 7) == 0) {
        Py_ssize_t type_stop = 7;
        while (type_stop < id_length && id[type_stop] != ':') {
            type_stop++;
        }
        PyObject *event_type =
            PyUnicode_Substring(line, starts[COL_ID] + 7, starts[COL_ID] + type_stop);
        if (event_type == NULL) {
            goto error;
        }
        PyObject *skip = PyDict_GetItemWithError(self->event_skips, event_type);
        if (skip == NULL && !PyErr_Occurred()) {
            event = Py_XNewRef(PyDict_GetItemWithError(self->event_directions, event_type));
        }
        Py_DECREF(event_type);
        if (PyErr_Occurred()) {
            goto error;
        }
        if (skip != NULL) {
            *reason = Py_NewRef(skip);
            status = LINE_SKIPPED;
            goto done;
        }
    }
    if (event == NULL) {
        event = Py_NewRef(Py_None);
    }
    const char *info = FIELD(COL_INFO);
    Py_ssize_t info_length = FIELD_LENGTH(COL_INFO);
    Py_ssize_t found = find(info, info_length, "END=");
    int64_t end;
    start_object = PyLong_FromLongLong(start);
    if (start_object == NULL) {
        goto error;
    }
    if (found == 0 || (found > 0 && info[found - 1] == ';')) {
        Py_ssize_t end_stop = found + 4;
        while (end_stop < info_length && info[end_stop] != ';') {
            end_stop++;
        }
        end = parse_digits(info + found + 4, end_stop - found - 4);
        if (end < 0) {
            goto done;
        }
    }
    else {
        PyObject *info_text = PyUnicode_Substring(line, starts[COL_INFO], stops[COL_INFO]);
        if (info_text == NULL) {
            goto error;
        }
        PyObject *end_found = PyObject_CallFunctionObjArgs(self->end_of, info_text,
                                                           start_object, line_object, NULL);
        Py_DECREF(info_text);
        if (end_found == NULL) {
            goto error;
        }
        int overflow;
        long long value = PyLong_AsLongLongAndOverflow(end_found, &overflow);
        Py_DECREF(end_found);
        if (value == -1 && PyErr_Occurred()) {
            goto error;
        }
        if (overflow) {
            goto done; /* beyond any contig: the Python path reports it */
        }
        end = value;
    }
    if (end <= start) {
        goto done;
    }
    PyObject *chrom = PyTuple_GET_ITEM(contig, 0);
    PyObject *contig_length = PyTuple_GET_ITEM(contig, 1);
    if (contig_length != Py_None) {
        long long limit = PyLong_AsLongLong(contig_length);
        if (limit == -1 && PyErr_Occurred()) {
            goto error;
        }
        if (end > limit) {
            goto done;
        }
    }
    if (self->sample_count == 0) {
        *reason = Py_NewRef(self->no_carrier);
        status = LINE_SKIPPED;
        goto done;
    }
    male_baseline = Py_NewRef(self->baseline_two);
    if (PyTuple_GET_ITEM(contig, 2) == Py_True) {
        int in_par = in_regions(PyTuple_GET_ITEM(contig, 3), start, end);
        if (in_par < 0) {
            goto error;
        }
        if (!in_par) {
            Py_SETREF(male_baseline, Py_NewRef(self->baseline_one));
        }
    }
    if (PyTuple_GET_ITEM(alt, 2) == Py_True && event == Py_None) {
        Py_ssize_t value_start, value_stop;
        PyObject *direction = NULL;
        if (info_value(info, info_length, "SVTYPE", &value_start, &value_stop)) {
            PyObject *svtype = PyUnicode_Substring(line, starts[COL_INFO] + value_start,
                                                   starts[COL_INFO] + value_stop);
            if (svtype == NULL) {
                goto error;
            }
            direction = Py_XNewRef(PyDict_GetItemWithError(self->svtype_directions, svtype));
            Py_DECREF(svtype);
            if (PyErr_Occurred()) {
                goto error;
            }
        }
        svtype_direction = direction != NULL ? direction : Py_NewRef(Py_None);
    }
    else {
        svtype_direction = Py_NewRef(Py_None);
    }
    quality = finite_number(FIELD(COL_QUAL), FIELD_LENGTH(COL_QUAL), &fallback);
    if (quality == NULL) {
        goto fallback_or_error;
    }
    /* (names, is PASS) */
    PyObject *filter = cached_value(&self->memos[MEMO_FILTER], self->filters, self->filter_of,
                                    NULL, line, data, starts[COL_FILTER], stops[COL_FILTER],
                                    &text);
    if (filter == NULL) {
        goto error;
    }
    /* _FormatIndices(genotype, copy_number, copy_ratio) */
    PyObject *format = cached_value(&self->memos[MEMO_FORMAT], self->formats, self->format_of,
                                    NULL, line, data, starts[COL_FORMAT], stops[COL_FORMAT],
                                    &text);
    if (format == NULL) {
        goto error;
    }
    Py_ssize_t gt_index = PyLong_AsSsize_t(PyTuple_GET_ITEM(format, 0));
    Py_ssize_t cn_index = PyLong_AsSsize_t(PyTuple_GET_ITEM(format, 1));
    Py_ssize_t sm_index = PyLong_AsSsize_t(PyTuple_GET_ITEM(format, 2));
    if (PyErr_Occurred()) {
        goto error;
    }
    end_object = PyLong_FromLongLong(end);
    length_object = PyLong_FromLongLong(end - start);
    size_class = PyLong_FromLong(length_class(end - start, self->max_length_class));
    if (end_object == NULL || length_object == NULL || size_class == NULL) {
        goto error;
    }
    vcf_id = id_length == 1 && id[0] == '.'
                 ? Py_NewRef(Py_None)
                 : PyUnicode_Substring(line, starts[COL_ID], stops[COL_ID]);
    if (vcf_id == NULL) {
        goto error;
    }
    PyObject *filter_names = PyTuple_GET_ITEM(filter, 0);
    PyObject *is_pass = PyTuple_GET_ITEM(filter, 1);
    PyObject *single_sample = self->sample_count == 1 ? Py_True : Py_False;

    int produced = 0, saw_neutral = 0;
    for (Py_ssize_t sample_index = 0; sample_index < self->sample_count; sample_index++) {
        Py_ssize_t column_index = FIRST_SAMPLE_COLUMN + sample_index;
        Py_ssize_t field_start = starts[column_index], field_stop = stops[column_index];
        /* Bounds of the colon-separated values wanted (-1: the sample has no such value). */
        Py_ssize_t value_index = 0, value_start = field_start;
        Py_ssize_t gt_bounds[2] = {-1, -1}, cn_bounds[2] = {-1, -1}, sm_bounds[2] = {-1, -1};
        for (Py_ssize_t i = field_start;; i++) {
            if (i == field_stop || data[i] == ':') {
                if (value_index == gt_index) {
                    gt_bounds[0] = value_start, gt_bounds[1] = i;
                }
                if (value_index == cn_index) {
                    cn_bounds[0] = value_start, cn_bounds[1] = i;
                }
                if (value_index == sm_index) {
                    sm_bounds[0] = value_start, sm_bounds[1] = i;
                }
                value_index++;
                value_start = i + 1;
                if (i == field_stop) {
                    break;
                }
            }
        }
        PyObject *sample = PyTuple_GET_ITEM(self->samples, sample_index);
        PyObject *sex_baseline =
            PyTuple_GET_ITEM(sample, 0) == Py_True ? male_baseline : self->baseline_two;
        PyObject *gt_text = gt_bounds[0] >= 0
                                ? PyUnicode_Substring(line, gt_bounds[0], gt_bounds[1])
                                : Py_NewRef(Py_None);
        PyObject *cn_text = cn_bounds[0] >= 0
                                ? PyUnicode_Substring(line, cn_bounds[0], cn_bounds[1])
                                : Py_NewRef(Py_None);
        PyObject *key = gt_text != NULL && cn_text != NULL
                            ? PyTuple_Pack(6, gt_text, cn_text, sex_baseline, alt_text, event,
                                           svtype_direction)
                            : NULL;
        Py_XDECREF(gt_text);
        Py_XDECREF(cn_text);
        if (key == NULL) {
            goto error;
        }
        /* ((id suffix, variant_type, efo_id, copy_number, zygosity_id, genotype)...,
         *  some allele copy-neutral) */
        PyObject *outcome = Py_XNewRef(PyDict_GetItemWithError(self->outcomes, key));
        if (outcome == NULL && !PyErr_Occurred()) {
            outcome = PyObject_CallFunctionObjArgs(self->outcome_of, key, alt,
                                                   PyTuple_GET_ITEM(sample, 2), single_sample,
                                                   line_object, NULL);
        }
        Py_DECREF(key);
        if (outcome == NULL) {
            goto error;
        }
        PyObject *calls = PyTuple_GET_ITEM(outcome, 0);
        Py_ssize_t call_count = PyTuple_GET_SIZE(calls);
        if (PyTuple_GET_ITEM(outcome, 1) == Py_True) {
            saw_neutral = 1;
        }
        if (call_count == 0) {
            Py_DECREF(outcome);
            continue;
        }
        PyObject *copy_ratio =
            sm_bounds[0] >= 0
                ? finite_number(data + sm_bounds[0], sm_bounds[1] - sm_bounds[0], &fallback)
                : Py_NewRef(Py_None);
        if (copy_ratio == NULL) {
            Py_DECREF(outcome);
            if (fallback) {
                goto undo;
            }
            goto error;
        }
        PyObject *template = PyTuple_GET_ITEM(sample, 1);
        PyObject *const *keys = self->keys;
        int failed = 0;
        for (Py_ssize_t call_index = 0; call_index < call_count && !failed; call_index++) {
            PyObject *call = PyTuple_GET_ITEM(calls, call_index);
            PyObject *document = PyDict_Copy(template);
            if (document == NULL) {
                failed = 1;
                break;
            }
            PyObject *identifier =
                document_id(self->id_prefix, line_number, sample_index, PyTuple_GET_ITEM(call, 0));
            failed =
                identifier == NULL || PyDict_SetItem(document, keys[KEY_ID], identifier)
                || PyDict_SetItem(document, keys[KEY_CHROM], chrom)
                || PyDict_SetItem(document, keys[KEY_START], start_object)
                || PyDict_SetItem(document, keys[KEY_END], end_object)
                || PyDict_SetItem(document, keys[KEY_LENGTH], length_object)
                || PyDict_SetItem(document, keys[KEY_LENGTH_CLASS], size_class)
                || PyDict_SetItem(document, keys[KEY_VARIANT_TYPE], PyTuple_GET_ITEM(call, 1))
                || PyDict_SetItem(document, keys[KEY_EFO_ID], PyTuple_GET_ITEM(call, 2))
                || PyDict_SetItem(document, keys[KEY_COPY_NUMBER], PyTuple_GET_ITEM(call, 3))
                || PyDict_SetItem(document, keys[KEY_COPY_RATIO], copy_ratio)
                || PyDict_SetItem(document, keys[KEY_GENOTYPE], PyTuple_GET_ITEM(call, 5))
                || PyDict_SetItem(document, keys[KEY_ZYGOSITY_ID], PyTuple_GET_ITEM(call, 4))
                || PyDict_SetItem(document, keys[KEY_QUALITY], quality)
                || PyDict_SetItem(document, keys[KEY_FILTERS], filter_names)
                || PyDict_SetItem(document, keys[KEY_IS_PASS], is_pass)
                || PyDict_SetItem(document, keys[KEY_VCF_ID], vcf_id)
                || PyDict_SetItem(document, keys[KEY_SOURCE_LINE], line_object)
                || PyList_Append(batch, document);
            Py_XDECREF(identifier);
            /* A document holds strings, numbers and the record's shared FILTER list of
             * strings: it can be in no reference cycle, so the cycle collector need not walk
             * the thousands in a batch (CPython tracks the dict again if a container is
             * ever stored in it). */
            PyObject_GC_UnTrack(document);
            Py_DECREF(document);
            produced = 1;
        }
        Py_DECREF(copy_ratio);
        Py_DECREF(outcome);
        if (failed) {
            goto error;
        }
    }
    if (produced) {
        status = LINE_PRODUCED;
    }
    else {
        *reason = Py_NewRef(saw_neutral ? self->copy_neutral : self->no_carrier);
        status = LINE_SKIPPED;
    }
    goto done;

fallback_or_error:
    if (!fallback) {
        goto error;
    }
    goto done;
undo:
    /* Leave the whole record to the Python path: drop what this record appended. */
    if (PyList_SetSlice(batch, batch_length_before, PyList_GET_SIZE(batch), NULL) < 0) {
        goto error;
    }
    status = LINE_FALLBACK;
    goto done;
error:
    status = LINE_ERROR;
done:
    Py_XDECREF(line_object);
    Py_XDECREF(event);
    Py_XDECREF(start_object);
    Py_XDECREF(end_object);
    Py_XDECREF(length_object);
    Py_XDECREF(size_class);
    Py_XDECREF(vcf_id);
    Py_XDECREF(quality);
    Py_XDECREF(svtype_direction);
    Py_XDECREF(male_baseline);
    return status;
#undef FIELD
#undef FIELD_LENGTH
}

static int
count_skip(PyObject *skipped, PyObject *reason)
{
    PyObject *count = PyDict_GetItemWithError(skipped, reason);
    if (count == NULL && PyErr_Occurred()) {
        return -1;
    }
    long long value = count == NULL ? 0 : PyLong_AsLongLong(count);
    if (value == -1 && PyErr_Occurred()) {
        return -1;
    }
    PyObject *incremented = PyLong_FromLongLong(value + 1);
    if (incremented == NULL) {
        return -1;
    }
    int failed = PyDict_SetItem(skipped, reason, incremented);
    Py_DECREF(incremented);
    return failed;
}

PyDoc_STRVAR(scan_doc,
"scan(lines, index, line_number, batch, skipped) -> (index, line_number, records)\n\n"
"Turn lines[index:] into call documents appended to batch, counting skipped records by\n"
"reason in skipped, until the lines end or batch holds batch_size documents. line_number\n"
"is the number of the line before lines[index]. Returns where it stopped, the number of\n"
"the last line read and how many records (non-empty lines) it read.");

static PyObject *
scanner_scan(RecordScanner *self, PyObject *const *args, Py_ssize_t nargs)
{
    if (nargs != 5) {
        PyErr_SetString(PyExc_TypeError, "scan() takes 5 arguments");
        return NULL;
    }
    PyObject *lines = args[0], *batch = args[3], *skipped = args[4];
    if (!PyList_Check(lines) || !PyList_Check(batch) || !PyDict_Check(skipped)) {
        PyErr_SetString(PyExc_TypeError, "scan() takes a list, two ints, a list and a dict");
        return NULL;
    }
    Py_ssize_t index = PyLong_AsSsize_t(args[1]);
    Py_ssize_t line_number = PyLong_AsSsize_t(args[2]);
    if ((index == -1 || line_number == -1) && PyErr_Occurred()) {
        return NULL;
    }
    if (index < 0 || line_number < 0) {
        PyErr_SetString(PyExc_ValueError, "index and line_number must be >= 0");
        return NULL;
    }
    Py_ssize_t records = 0;
    while (index < PyList_GET_SIZE(lines)) {
        PyObject *line = Py_NewRef(PyList_GET_ITEM(lines, index));
        index++;
        line_number++;
        if (!PyUnicode_Check(line)) {
            Py_DECREF(line);
            PyErr_SetString(PyExc_TypeError, "lines must be strings");
            return NULL;
        }
        if (PyUnicode_GET_LENGTH(line) == 0) {
            Py_DECREF(line);
            continue;
        }
        records++;
        PyObject *reason = NULL;
        int status = record_calls(self, line, line_number, batch, &reason);
        if (status == LINE_FALLBACK) {
            PyObject *number = PyLong_FromSsize_t(line_number);
            PyObject *result =
                number != NULL
                    ? PyObject_CallFunctionObjArgs(self->record_calls, line, number, batch, NULL)
                    : NULL;
            Py_XDECREF(number);
            if (result == NULL) {
                status = LINE_ERROR;
            }
            else if (result == Py_None) {
                Py_DECREF(result);
                status = LINE_PRODUCED;
            }
            else {
                reason = result;
                status = LINE_SKIPPED;
            }
        }
        Py_DECREF(line);
        if (status == LINE_ERROR) {
            return NULL;
        }
        if (status == LINE_SKIPPED) {
            int failed = count_skip(skipped, reason);
            Py_DECREF(reason);
            if (failed) {
                return NULL;
            }
        }
        else if (PyList_GET_SIZE(batch) >= self->batch_size) {
            break;
        }
    }
    return Py_BuildValue("(nnn)", index, line_number, records);
}

static PyMethodDef scanner_methods[] = {
    {"scan", (PyCFunction)(void (*)(void))scanner_scan, METH_FASTCALL, scan_doc},
    {NULL, NULL, 0, NULL},
};

PyDoc_STRVAR(scanner_doc,
"RecordScanner(*, contigs, alts, filters, formats, outcomes, contig_of, alt_of, filter_of,\n"
"              format_of, outcome_of, end_of, record_calls, samples, id_prefix,\n"
"              event_directions, event_skips, svtype_directions, ref_segment, copy_neutral,\n"
"              no_carrier, column_count, batch_size, max_length_class)\n\n"
"The compiled fast path of one VcfReader pass (see cnvbeacon.ingest.vcf).");

static PyTypeObject RecordScannerType = {
    PyVarObject_HEAD_INIT(NULL, 0)
    .tp_name = "cnvbeacon.ingest._record_scan.RecordScanner",
    .tp_basicsize = sizeof(RecordScanner),
    .tp_flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .tp_doc = scanner_doc,
    .tp_new = PyType_GenericNew,
    .tp_init = (initproc)scanner_init,
    .tp_dealloc = (destructor)scanner_dealloc,
    .tp_traverse = (traverseproc)scanner_traverse,
    .tp_clear = (inquiry)scanner_clear,
    .tp_methods = scanner_methods,
};

static struct PyModuleDef record_scan_module = {
    PyModuleDef_HEAD_INIT,
    .m_name = "cnvbeacon.ingest._record_scan",
    .m_doc = "The compiled fast path of cnvbeacon.ingest.vcf (see RecordScanner).",
    .m_size = -1,
};

PyMODINIT_FUNC
PyInit__record_scan(void)
{
    if (PyType_Ready(&RecordScannerType) < 0) {
        return NULL;
    }
    PyObject *module = PyModule_Create(&record_scan_module);
    if (module == NULL) {
        return NULL;
    }
    if (PyModule_AddObjectRef(module, "RecordScanner", (PyObject *)&RecordScannerType) < 0) {
        Py_DECREF(module);
        return NULL;
    }
    return module;
}
