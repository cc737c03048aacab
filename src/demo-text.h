/*
 * demo-text: the data the demo generator (demo.c) composes mail from: the
 * fictional organisations, people and mailing lists, the topics with
 * their subject and sentence tables in French and English, and the
 * strings of the few foreign-charset messages.  Private to the demo
 * module; everything here is static, read-only data.
 *
 * Text is UTF-8.  Sentences may hold placeholders in braces ({amount},
 * {site}...) that demo.c expands; see demo_expand() there for the list.
 */
#ifndef TRAWL_DEMO_TEXT_H
#define TRAWL_DEMO_TEXT_H

#include <stdint.h>

/* A table of strings with its length. */
struct demo_strings {
	const char *const *v;
	unsigned n;
};

#define DEMO_STRINGS(a) { (a), (unsigned)(sizeof(a) / sizeof((a)[0])) }

enum demo_lang {
	DEMO_FR,
	DEMO_EN,
	DEMO_LANGS,
};

/* Mail programs, each with its own headers, quoting, charsets and MIME habits. */
enum demo_client {
	DEMO_OUTLOOK,
	DEMO_THUNDERBIRD,
	DEMO_APPLE,
	DEMO_WEBMAIL,   /* a big web mail service: multipart/alternative, base64 names */
	DEMO_OLDWEB,    /* an old webmail: ISO-8859-1, 8bit, sometimes no charset */
	DEMO_MOBILE,
	DEMO_CLIENTS,
};

enum demo_zone {
	DEMO_TZ_PARIS,
	DEMO_TZ_LONDON,
	DEMO_TZ_MONTREAL,
	DEMO_TZ_TOKYO,
	DEMO_TZ_MOSCOW,
	DEMO_TZ_KOLKATA,
	DEMO_TZ_UTC,
	DEMO_ZONES,
};

enum demo_dept {
	DEMO_DG,    /* general management */
	DEMO_FIN,   /* finance */
	DEMO_PROC,  /* procurement */
	DEMO_LEGAL,
	DEMO_OPS,   /* network and plants */
	DEMO_LAB,   /* water quality */
	DEMO_COM,   /* communication */
	DEMO_HR,
	DEMO_IT,
	DEMO_BILL,  /* customers and billing */
	DEMO_WORKS, /* engineering and new works */
	DEMO_BOARD, /* the board of directors (elected officials) */
	DEMO_EXT,   /* not staff */
	DEMO_DEPTS,
};

#define DEMO_DEPT(d) (1u << (d))

/* How the digits after an organisation's phone prefix are made. */
enum demo_phone_style {
	DEMO_PHONE_NONE,
	DEMO_PHONE_FR, /* " 12 34" */
	DEMO_PHONE_2,  /* "12" */
	DEMO_PHONE_3,  /* "123" */
	DEMO_PHONE_4,  /* "1234" */
};

struct demo_org {
	const char *name;    /* UTF-8; NULL for a mail provider */
	const char *domain;  /* always under .example */
	const char *address; /* signature line; NULL for none */
	const char *phone;   /* prefix in a range set aside for fiction; NULL for none */
	unsigned char phone_style;
	const char *mx;      /* the host that receives its mail */
};

/* Organisations the externals belong to are referred to by index. */
enum demo_org_id {
	DEMO_ORG_REVB,
	DEMO_ORG_FREEMAIL,
	DEMO_ORG_VAUDRENNE,
	DEMO_ORG_STAUBIN,
	DEMO_ORG_ROCHEVAL,
	DEMO_ORG_RIVIERE,
	DEMO_ORG_VAUTRIN,
	DEMO_ORG_HYDROSYS,
	DEMO_ORG_BLACKWOOD,
	DEMO_ORG_ECHO,
	DEMO_ORG_RADIO,
	DEMO_ORG_AGENCE,
	DEMO_ORG_CRC,
	DEMO_ORG_KANEDA,
	DEMO_ORG_SEVER,
	DEMO_ORG_NIMBUS,
	DEMO_ORG_LABO,
	DEMO_ORG_AQUATERRA,
	DEMO_ORG_HOSTILE,
	DEMO_ORGS,
};

struct demo_person {
	const char *name;  /* display name, UTF-8 */
	const char *login; /* ASCII local part */
	const char *title; /* job title in the person's language */
	unsigned char org; /* enum demo_org_id */
	unsigned char dept;
	unsigned char lang;
	unsigned char client;
	unsigned char zone;
};

struct demo_list {
	const char *name;   /* local part at lists.eaux-valbrenne.example */
	const char *title;  /* List-Id phrase */
	const char *prefix; /* subject tag, "" for none */
};

enum demo_list_id {
	DEMO_LIST_CONSEIL,
	DEMO_LIST_TOUS,
	DEMO_LIST_ASTREINTE,
	DEMO_LISTS,
};

/* Attachment kinds a topic may carry (bit mask). */
enum demo_attach_kind {
	DEMO_ATT_PDF = 1u << 0,
	DEMO_ATT_CSV = 1u << 1,
	DEMO_ATT_DOCX = 1u << 2,
	DEMO_ATT_XLS = 1u << 3,
	DEMO_ATT_PNG = 1u << 4,
};

struct demo_topic {
	const char *key;
	unsigned weight;      /* relative frequency */
	unsigned english;     /* percent of threads in English */
	unsigned depts;       /* DEMO_DEPT() mask of staff who take part */
	unsigned long orgs;   /* mask (1 << org) of outside organisations that take part */
	int list;             /* enum demo_list_id or -1 */
	unsigned list_pct;    /* percent of threads sent to that list */
	unsigned attach;      /* enum demo_attach_kind mask */
	unsigned attach_pct;  /* percent of messages with attachments */
	int table;            /* the topic's messages may carry a table of figures */
	struct demo_strings subjects[DEMO_LANGS];
	struct demo_strings sentences[DEMO_LANGS];
	struct demo_strings files[DEMO_LANGS]; /* attachment base names, no extension */
};

/* Generic phrases, by language. */
struct demo_phrases {
	struct demo_strings greet_one;   /* "{first}" is the addressee's first name */
	struct demo_strings greet_all;
	struct demo_strings greet_formal;
	struct demo_strings lead_in;     /* prefixes for a sentence, lower case follows */
	struct demo_strings ack;         /* first sentence of a reply */
	struct demo_strings short_reply; /* a whole one-line reply */
	struct demo_strings forward;     /* note above a forwarded message */
	struct demo_strings closing;     /* last sentence */
	struct demo_strings signoff;     /* "Cordialement," */
	struct demo_strings docs;        /* {doc} */
	struct demo_strings list_items;  /* bullet points for agenda-like lists */
	struct demo_strings table_rows;  /* first column of tables of figures */
	struct demo_strings table_head;  /* one header row, cells separated by tabs */
	const char *months[12];
	const char *days[7];             /* Sunday first */
	const char *mobile_sig;
};

extern const struct demo_org demo_orgs[DEMO_ORGS];
extern const struct demo_person demo_people[];
extern const unsigned demo_people_count;
extern const struct demo_list demo_lists[DEMO_LISTS];
extern const struct demo_topic demo_topics[];
extern const unsigned demo_topics_count;
extern const struct demo_phrases demo_phrases[DEMO_LANGS];
extern const struct demo_strings demo_sites;     /* {site} */
extern const struct demo_strings demo_streets;   /* {street} */
extern const struct demo_strings demo_companies; /* {company} */

/* The Japanese supplier's messages and the Russian offer (UTF-8). */
extern const char demo_text_ja_subject[];
extern const char demo_text_ja_body[];
extern const char demo_text_ja_delay_subject[];
extern const char demo_text_ja_delay_body[];
extern const char demo_text_ru_subject[];
extern const char demo_text_ru_body[];

/* Unicode to JIS X 0208 for the kanji and symbols the Japanese text uses. */
struct demo_jis {
	uint16_t ucs;
	uint16_t jis;
};
extern const struct demo_jis demo_jis_table[];
extern const unsigned demo_jis_count;

#endif
