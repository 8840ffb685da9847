/* test_filemeta.c: type detection from content, name sanitizing and the
 * download headers. */
#include "filemeta.h"
#include "unit.h"

#define SNIFF(lit) filemeta_sniff((const unsigned char *)(lit), sizeof(lit) - 1)

TEST(sniff)
{
	CHECK_STR(SNIFF("\xFF\xD8\xFF\xE0rest"), "image/jpeg");
	CHECK_STR(SNIFF("\x89PNG\r\n\x1A\nxx"), "image/png");
	CHECK_STR(SNIFF("GIF89a...."), "image/gif");
	CHECK_STR(SNIFF("RIFF\x10\0\0\0WEBPVP8 "), "image/webp");
	CHECK_STR(SNIFF("RIFF\x10\0\0\0WAVEfmt "), "application/octet-stream");
	CHECK_STR(SNIFF("%PDF-1.7\n"), "application/pdf");
	CHECK_STR(SNIFF("PK\x03\x04\x14\0"), "application/zip");
	/* markup is never an image, whatever the name says */
	CHECK_STR(SNIFF("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"), "image/svg+xml");
	CHECK_STR(SNIFF("\xEF\xBB\xBF  <?xml version=\"1.0\"?><svg/>"), "image/svg+xml");
	CHECK_STR(SNIFF("<!DOCTYPE html><p>hi"), "text/html");
	CHECK_STR(SNIFF("\n<script>alert(1)</script>"), "text/html");
	CHECK_STR(SNIFF("<?xml version=\"1.0\"?><a/>"), "application/xml");
	CHECK_STR(SNIFF("push graphic-context\nviewbox 0 0 640 480\n"), "text/plain"); /* MVG */
	CHECK_STR(SNIFF("привет, мир\n"), "text/plain");
	CHECK_STR(SNIFF("\x01\x02\x03\x00"), "application/octet-stream");
	CHECK_STR(filemeta_sniff((const unsigned char *)"", 0), "application/octet-stream");
	CHECK(filemeta_is_image_type("image/webp"));
	CHECK(!filemeta_is_image_type("image/svg+xml"));
}

TEST(names)
{
	struct arena a;
	arena_init(&a);
	CHECK_STR(filemeta_sanitize_name(&a, "../../x.html"), "x.html");
	CHECK_STR(filemeta_sanitize_name(&a, "C:\\Users\\me\\photo.jpg"), "photo.jpg");
	CHECK_STR(filemeta_sanitize_name(&a, ".."), "file");
	CHECK_STR(filemeta_sanitize_name(&a, ""), "file");
	CHECK_STR(filemeta_sanitize_name(&a, ".bashrc"), "bashrc");
	CHECK_STR(filemeta_sanitize_name(&a, "a\r\nb\x01.txt"), "ab.txt");
	/* right-to-left override: "evil\u202Egnp.exe" */
	CHECK_STR(filemeta_sanitize_name(&a, "evil\xE2\x80\xAEgnp.exe"), "evilgnp.exe");
	CHECK_STR(filemeta_sanitize_name(&a, "bad\xFF\xFEname"), "bad\xEF\xBF\xBD\xEF\xBF\xBDname");
	CHECK_STR(filemeta_sanitize_name(&a, "отчёт 2026.pdf"), "отчёт 2026.pdf");
	CHECK_STR(filemeta_sanitize_name(&a, "name. . "), "name");
	char longname[400];
	memset(longname, 0, sizeof(longname));
	for (int i = 0; i < 150; i++)
		memcpy(longname + 2 * i, "\xD1\x84", 2); /* 300 bytes of "ф" */
	strcat(longname, ".jpeg");
	char *cut = filemeta_sanitize_name(&a, longname);
	CHECK(strlen(cut) <= FILE_NAME_MAX);
	CHECK(strcmp(cut + strlen(cut) - 5, ".jpeg") == 0);
	CHECK(((unsigned char)cut[strlen(cut) - 6] & 0xC0) != 0xC0); /* no cut character */
	arena_free(&a);
}

TEST(disposition)
{
	struct arena a;
	arena_init(&a);
	CHECK_STR(filemeta_disposition(&a, "photo.jpg", true),
		  "inline; filename=\"photo.jpg\"; filename*=UTF-8''photo.jpg");
	CHECK_STR(filemeta_disposition(&a, "a \"b\";\\c%.html", false),
		  "attachment; filename=\"a _b_;_c_.html\"; filename*=UTF-8''a%20%22b%22%3B%5Cc%25.html");
	CHECK_STR(filemeta_disposition(&a, "ф.txt", false),
		  "attachment; filename=\"__.txt\"; filename*=UTF-8''%D1%84.txt");
	CHECK_STR(filemeta_served_type("text/html"), "application/octet-stream");
	CHECK_STR(filemeta_served_type("image/svg+xml"), "application/octet-stream");
	CHECK_STR(filemeta_served_type("text/plain"), "text/plain; charset=utf-8");
	CHECK_STR(filemeta_served_type("application/pdf"), "application/pdf");
	CHECK_STR(filemeta_icon("application/zip"), "archive");
	arena_free(&a);
}

int main(void)
{
	RUN(sniff);
	RUN(names);
	RUN(disposition);
	return unit_summary();
}
