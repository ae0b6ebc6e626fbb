#!/usr/bin/env python3
"""Regenerates the e-mail fixtures (NN-*.eml) and expected.json in this folder, then checks them.

    python3 make_fixtures.py          # write every file, then run the checks
    python3 make_fixtures.py --check  # only check the files already on disk

Each fixture is written byte for byte: headers and bodies are templates with "\n" line ends that become
CRLF, encodings come from the helpers below (quoted-printable, base64, RFC 2047 words, format=flowed),
and the quirks of real clients (split encoded words, Windows-1252 bytes labelled iso-8859-1, LF-only
header lines, missing closing boundary...) are written by hand. Output is deterministic: the fake
DKIM signatures and images are derived from fixed seeds, so re-running gives the same bytes.
"""
import base64
import calendar
import codecs
import datetime
import hashlib
import html
import html.parser
import json
import os
import re
import struct
import sys
import zlib
from email import message_from_bytes, policy
from email.header import decode_header

HERE = os.path.dirname(os.path.abspath(__file__))
WALL = "mur@capcomnet.example"
ORG = "Organisation CapComNet <orga@capcomnet.example>"
ORG_ID = "c0a8f3e2-7d41-4b9e-9f2a-1e6b5d3c8a70@capcomnet.example"  # the organisers' announcement
ORG_EN_ID = "5e1d9b7a-0c3f-4a2e-8d6b-9f4c2a1e7b30@capcomnet.example"
NBSP, NNBSP, BOM = "\u00a0", "\u202f", "\ufeff"

# The organisers' announcement, quoted (in part or whole) by the replies.
ORG_FR = ("Bonjour à tous,\n\nLe programme de jeudi est en ligne : https://capcomnet.example/programme\n"
          "Accueil café dès 8h30, plénière à 9h30.\n\nÀ jeudi !\nL’équipe CapComNet")
ORG_FR_HTML = ('<div dir="ltr">Bonjour à tous,<div><br></div><div>Le programme de jeudi est en ligne : '
               '<a href="https://capcomnet.example/programme">https://capcomnet.example/programme</a></div>'
               '<div>Accueil café dès 8h30, plénière à 9h30.</div><div><br></div><div>À jeudi !</div>'
               '<div>L’équipe CapComNet</div></div>')


# ----------------------------------------------------------------------------------------------
# Encoding helpers
# ----------------------------------------------------------------------------------------------

def qp(text, charset="utf-8", width=76):
    """Quoted-printable, line by line ("\n" = hard break); soft breaks keep lines <= width.

    Like real encoders it may put a soft break between the bytes of one UTF-8 character."""
    out = []
    for line in text.split("\n"):
        data = line.encode(charset)
        toks = []
        for i, b in enumerate(data):
            if b in (0x20, 0x09):
                toks.append(chr(b) if i < len(data) - 1 else "=%02X" % b)
            elif 33 <= b <= 126 and b != 0x3D:
                toks.append(chr(b))
            else:
                toks.append("=%02X" % b)
        cur = ""
        for t in toks:
            if len(cur) + len(t) > width - 1:
                out.append(cur + "=")
                cur = ""
            cur += t
        out.append(cur)
    return "\n".join(out)


def b64(data, width=76):
    s = base64.b64encode(data).decode()
    return "\n".join(s[i:i + width] for i in range(0, len(s), width))


def b64text(text, charset="utf-8", width=76):
    """Base64 of a text part: canonical CRLF line ends before encoding (RFC 2045)."""
    return b64(text.replace("\n", "\r\n").encode(charset), width)


def ew_b(text, charset="UTF-8", codec=None):
    return "=?%s?B?%s?=" % (charset, base64.b64encode(text.encode(codec or charset)).decode())


def ew_q(text, charset="UTF-8", codec=None):
    out = []
    for b in text.encode(codec or charset):
        c = chr(b)
        if c == " ":
            out.append("_")
        elif b < 128 and (c.isalnum() or c in "!*+-/#.,:'()"):
            out.append(c)
        else:
            out.append("=%02X" % b)
    return "=?%s?Q?%s?=" % (charset, "".join(out))


def ew_b_words(text, charset="UTF-8", max_bytes=45):
    """Several B words, split at character boundaries (what a correct encoder does)."""
    words, cur = [], ""
    for ch in text:
        if len((cur + ch).encode("utf-8")) > max_bytes:
            words.append(ew_b(cur, charset, "utf-8"))
            cur = ""
        cur += ch
    words.append(ew_b(cur, charset, "utf-8"))
    return words


def flow(text, width=72, delsp=False):
    """format=flowed (RFC 3676): soft breaks end with a space. With delsp=yes the generator adds the
    break space itself (so breaks between words end with two spaces) and may break inside a word."""
    out = []
    for line in text.split("\n"):
        if line == "-- ":
            out.append(line)
            continue
        if line.startswith((" ", ">", "From ")):
            line = " " + line  # space-stuffing
        while len(line) > width:
            cut = line.rfind(" ", 0, width)
            if cut <= 0:
                if not delsp:
                    break
                out.append(line[:width] + " ")
                line = line[width:]
                continue
            out.append(line[:cut + 1] + (" " if delsp else ""))
            line = line[cut + 1:]
        out.append(line)
    return "\n".join(out)


def quote(text, prefix="> "):
    return "\n".join((prefix + l) if l else prefix.rstrip() for l in text.split("\n"))


def fake_b64(seed, n):
    raw = b""
    i = 0
    while len(raw) * 4 // 3 < n + 4:
        raw += hashlib.sha256(("%s/%d" % (seed, i)).encode()).digest()
        i += 1
    return base64.b64encode(raw).decode()[:n]


def fold_b(s, first, rest, indent):
    """Fold a long base64 string: first chunk `first` chars, next ones `rest` chars, each on a new
    line starting with `indent`."""
    parts = [s[:first]]
    s = s[first:]
    while s:
        parts.append(s[:rest])
        s = s[rest:]
    return ("\n" + indent).join(parts)


def epoch(stamp):
    """'2026-12-02 10:05:12 +0100' -> Unix time."""
    d = datetime.datetime.strptime(stamp, "%Y-%m-%d %H:%M:%S %z")
    return calendar.timegm(d.utctimetuple())


# ----------------------------------------------------------------------------------------------
# Header blocks shared by many fixtures
# ----------------------------------------------------------------------------------------------

def _dates(hms):
    d = datetime.datetime(2026, 12, 2, *map(int, hms.split(":")))
    dove = d.strftime("%a, %d %b %Y %H:%M:%S +0100")
    post = "%s, %2d %s %s +0100 (CET)" % (d.strftime("%a"), d.day, d.strftime("%b %Y"), d.strftime("%H:%M:%S"))
    return dove, post


def delivery(env_from, client, qid, lmtp_id, hms, tls=True, auth=None):
    """Return-Path + Delivered-To + Dovecot LMTP Received + Postfix Received, as the wall's mailbox
    stores them. `client` is 'host [ip]' or 'host (host [ip])'. `hms` = time at the MX (CET)."""
    h, m, s = map(int, hms.split(":"))
    dove, _ = _dates("%02d:%02d:%02d" % (h, m, s + 1 if s < 59 else s))
    _, post = _dates(hms)
    lines = ["Return-Path: <%s>" % env_from,
             "Delivered-To: " + WALL,
             "Received: from mx1.capcomnet.example",
             "\tby imap.capcomnet.example with LMTP",
             "\tid " + lmtp_id,
             "\t(envelope-from <%s>)" % env_from,
             "\tfor <%s>; %s" % (WALL, dove),
             "Received: from " + client]
    if tls:
        lines += ["\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)",
                  "\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)",
                  "\t(No client certificate requested)"]
    lines += ["\tby mx1.capcomnet.example (Postfix) with %s id %s" % ("ESMTPS" if tls else "ESMTP", qid),
              "\tfor <%s>; %s" % (WALL, post)]
    if auth:
        lines += ["Authentication-Results: mx1.capcomnet.example;",
                  "\t" + auth]
    return "\n".join(lines) + "\n"


def dkim_gmail(seed, domain, stamp, h):
    t = epoch(stamp)
    b = fake_b64(seed + "b", 342) + "=="
    return ("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n"
            "        d=%s; s=google; t=%d; x=%d; darn=capcomnet.example;\n"
            "        h=%s;\n"
            "        bh=%s=;\n"
            "        b=%s\n" % (domain, t, t + 604800, h, fake_b64(seed + "bh", 43),
                                fold_b(b, 68, 70, "         ")))


def google_block(seed, domain, stamp, h):
    """DKIM-Signature, X-Google-DKIM-Signature, X-Gm-* and X-Received as Gmail (Workspace) adds them."""
    t = epoch(stamp)
    d = datetime.datetime.fromtimestamp(t, datetime.timezone(datetime.timedelta(hours=-8)))
    pst = d.strftime("%a, %d %b %Y %H:%M:%S -0800 (PST)")
    xb = fake_b64(seed + "xb", 342) + "=="
    return (dkim_gmail(seed, domain, stamp, h) +
            "X-Google-DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed;\n"
            "        d=1e100.net; s=20230601; t=%d; x=%d;\n"
            "        h=%s;\n"
            "        bh=%s=;\n"
            "        b=%s\n" % (t, t + 604800, h.replace("darn", ""), fake_b64(seed + "bh", 43),
                                fold_b(xb, 68, 70, "         ")) +
            "X-Gm-Message-State: AOJu0Y%s\n\t%s\n" % (fake_b64(seed + "st", 60), fake_b64(seed + "st2", 24)) +
            "X-Google-Smtp-Source: AGHT+I%s\n" % fake_b64(seed + "src", 80) +
            "X-Received: by 2002:a05:6000:1f8c:b0:385:f1d9:4c8 with SMTP id bw12-20020a0560001f8c00b00385f1d904c8mr%d.12.%d; %s\n"
            % (t % 9876543, t * 1000 + 345, pst))


GMAIL_H_NEW = "to:subject:message-id:date:from:mime-version:from:to:cc:subject\n         :date:message-id:reply-to"
GMAIL_H_REPLY = ("to:subject:message-id:date:from:in-reply-to:references\n"
                 "         :mime-version:from:to:cc:subject:date:message-id:reply-to")


def gmail_body(boundary, plain, html_part, plain_cte="quoted-printable"):
    """multipart/alternative as Gmail writes it: text/plain then text/html, UTF-8, QP (or 7bit)."""
    def part(ctype, text):
        if plain_cte == "7bit" or all(ord(c) < 128 for c in text):
            return 'Content-Type: %s; charset="UTF-8"\n\n%s' % (ctype, text)
        return 'Content-Type: %s; charset="UTF-8"\nContent-Transfer-Encoding: quoted-printable\n\n%s' % (ctype, qp(text))
    return ("\n--%s\n%s\n--%s\n%s\n--%s--\n" % (boundary, part("text/plain", plain), boundary,
                                                 part("text/html", html_part), boundary))


def gmail_html(paragraphs):
    """Gmail's compose HTML: first line bare, the next ones in <div>s, empty lines as <div><br></div>."""
    first, rest = paragraphs[0], paragraphs[1:]
    inner = "".join("<div>%s</div>" % (p if p else "<br>") for p in rest)
    return '<div dir="ltr">%s%s</div>' % (first, inner)


# ----------------------------------------------------------------------------------------------
# Binary attachments (tiny but valid files)
# ----------------------------------------------------------------------------------------------

def png(w, h, rgb):
    raw = b"".join(b"\x00" + bytes(rgb) * w for _ in range(h))

    def chunk(t, d):
        return struct.pack(">I", len(d)) + t + d + struct.pack(">I", zlib.crc32(t + d) & 0xFFFFFFFF)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)) +
            chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def jpeg_gray8x8():
    """Baseline JPEG, one 8x8 mid-grey block (DC 0, EOB), one-symbol Huffman tables."""
    seg = lambda m, d: b"\xff" + bytes([m]) + struct.pack(">H", len(d) + 2) + d
    app0 = seg(0xE0, b"JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00")
    dqt = seg(0xDB, b"\x00" + b"\x01" * 64)
    sof = seg(0xC0, b"\x08\x00\x08\x00\x08\x01\x01\x11\x00")
    dht_dc = seg(0xC4, b"\x00" + b"\x01" + b"\x00" * 15 + b"\x00")
    dht_ac = seg(0xC4, b"\x10" + b"\x01" + b"\x00" * 15 + b"\x00")
    sos = seg(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    return b"\xff\xd8" + app0 + dqt + sof + dht_dc + dht_ac + sos + b"\x3f" + b"\xff\xd9"


def pdf_programme():
    text = b"BT /F1 20 Tf 72 770 Td (CapComNet - programme de l'ete 2026) Tj ET\n"
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(text) + text + b"endstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for i, o in enumerate(objs, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + o + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    return out


# ----------------------------------------------------------------------------------------------
# The fixtures. Each returns (bytes, expected-dict-without-"file").
# ----------------------------------------------------------------------------------------------

def crlf(s, enc="ascii"):
    return s.replace("\r\n", "\n").replace("\n", "\r\n").encode(enc)


def person(author, text, msgid, attachments=0):
    return {"author": author, "text": text, "attachments": attachments, "messageID": msgid}


IGNORED = {"ignored": True}
FIXTURES = []


def fixture(name):
    def deco(fn):
        FIXTURES.append((name, fn))
        return fn
    return deco


# --- Gmail -------------------------------------------------------------------------------------

@fixture("01-gmail-fr-hashtag-subject.eml")
def f01():
    mid = "CAF7kXq3mZ0rVt1wQ+8bN4yH2uJd5sLpE9cR6aT0oW_xKf3g1Bw@mail.gmail.com"
    lines = ["Bonjour à tous ! Très contente d’être là 🎉",
             "La salle est magnifique et l’accueil au top, merci à l’équipe pour le café et les croissants ☕🥐"]
    b = "0000000000004f8e2a0620c1d3b7"
    msg = (delivery("lea.dupre@example.org", "mail-wm1-f41.google.com (mail-wm1-f41.google.com [209.85.128.41])",
                    "4D2B11C0A3F", "kM3jB9m1bmkqGQAAm5Uw7w", "10:05:13",
                    auth="dkim=pass (2048-bit key; unprotected) header.d=example.org header.i=@example.org "
                         "header.a=rsa-sha256 header.s=google header.b=" + fake_b64("01b", 8)) +
           google_block("01", "example.org", "2026-12-02 10:05:12 +0100", GMAIL_H_NEW) +
           "MIME-Version: 1.0\n"
           "From: " + ew_b("Léa Dupré") + " <lea.dupre@example.org>\n"
           "Date: Wed, 2 Dec 2026 10:05:12 +0100\n"
           "Message-ID: <" + mid + ">\n"
           "Subject: #capcomnet\n"
           "To: " + WALL + "\n"
           'Content-Type: multipart/alternative; boundary="' + b + '"\n' +
           gmail_body(b, "\n".join(lines) + "\n", gmail_html(lines) + "\n"))
    return crlf(msg), person("Léa Dupré", "\n".join(lines), mid)


@fixture("02-gmail-en-signature.eml")
def f02():
    mid = "CAJx5b+Q3v_Kq9yT0hYWm1nE7pA_rS2dF4gH8jL6kZ-c9eU@mail.gmail.com"
    said = ("Loved the keynote on open data – the live demo of the city dashboard was 🔥. "
            "Could you share the slides on the wall page? Thanks!")
    sig = ["Tom Baker", "Product Lead, Northwind Traders", "+44 20 7946 0321"]
    plain = said + "\n\n-- \n" + "\n".join(sig) + "\n"
    htm = ('<div dir="ltr"><div>%s</div><div><br></div><span class="gmail_signature_prefix">-- </span><br>'
           '<div dir="ltr" class="gmail_signature" data-smartmail="gmail_signature"><div dir="ltr">%s'
           '<div>%s</div><div>%s</div></div></div></div>\n' % (said, sig[0], sig[1], sig[2]))
    b = "000000000000a91c3e0620c1d4e2"
    msg = (delivery("tom.baker@northwind.example", "mail-ed1-f53.google.com (mail-ed1-f53.google.com [209.85.208.53])",
                    "7F3A21C0A41", "QH6cMZq2bmkrGgAAm5Uw7w", "10:11:48") +
           google_block("02", "northwind.example", "2026-12-02 09:11:47 +0000", GMAIL_H_NEW) +
           "MIME-Version: 1.0\n"
           "From: Tom Baker <tom.baker@northwind.example>\n"
           "Date: Wed, 2 Dec 2026 09:11:47 +0000\n"
           "Message-ID: <" + mid + ">\n"
           "Subject: Great keynote #capcomnet\n"
           "To: " + WALL + "\n"
           'Content-Type: multipart/alternative; boundary="' + b + '"\n' +
           gmail_body(b, plain, htm))
    return crlf(msg), person("Tom Baker", "Great keynote #capcomnet\n" + said, mid)


@fixture("03-gmail-fr-reply-thread.eml")
def f03():
    mid = "CAMr8Yp2Tq+4wXe7Zk1Lc9Hs0VbN3gFd6JmA5uR_iOy2ePtQh4w@mail.gmail.com"
    said = ["Merci pour le programme ! On sera une vingtaine de l’agence Lumen, on arrive vers 9h15 pour "
            "l’accueil café.", "", "Petite question : la plénière sera-t-elle retransmise sur le mur ?"]
    # The organisers' message quoted in full, itself quoting Camille's first question (whole thread).
    older = ("Bonjour, le programme de jeudi est-il disponible ? On aimerait prévenir l’équipe.\n"
             "Camille")
    org = (ORG_FR + "\n\nLe lun. 30 nov. 2026 à 18:02, Camille Rousseau <camille.rousseau@agence-lumen.example> a\n"
           "écrit :\n\n" + quote(older) + "\n")
    plain = ("\n".join(said) + "\n\n"
             "Le mer. 2 déc. 2026 à 09:41, Organisation CapComNet <orga@capcomnet.example>\n"
             "a écrit :\n\n" + quote(org) + "\n")
    htm = (gmail_html(said) + '<br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">'
           'Le&nbsp;mer. 2 déc. 2026 à&nbsp;09:41, Organisation CapComNet &lt;<a href="mailto:orga@capcomnet.example">'
           'orga@capcomnet.example</a>&gt; a écrit&nbsp;:<br></div><blockquote class="gmail_quote" style="margin:0px 0px '
           '0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">' + ORG_FR_HTML +
           '<br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">Le&nbsp;lun. 30 nov. 2026 à&nbsp;18:02, '
           'Camille Rousseau &lt;<a href="mailto:camille.rousseau@agence-lumen.example">camille.rousseau@agence-lumen.example'
           '</a>&gt; a écrit&nbsp;:<br></div><blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;'
           'border-left:1px solid rgb(204,204,204);padding-left:1ex"><div dir="ltr">Bonjour, le programme de jeudi '
           'est-il disponible ? On aimerait prévenir l’équipe.<div>Camille</div></div></blockquote></div>'
           '</blockquote></div>\n')
    b = "000000000000c27d5f0620c1d9a0"
    msg = (delivery("camille.rousseau@agence-lumen.example",
                    "mail-wr1-f44.google.com (mail-wr1-f44.google.com [209.85.221.44])",
                    "9B0E41C0A5C", "2Lr9Ox73bmkvGgAAm5Uw7w", "10:17:31") +
           google_block("03", "agence-lumen.example", "2026-12-02 10:17:29 +0100", GMAIL_H_REPLY) +
           "MIME-Version: 1.0\n"
           "References: <" + ORG_ID + ">\n"
           "In-Reply-To: <" + ORG_ID + ">\n"
           "From: Camille Rousseau <camille.rousseau@agence-lumen.example>\n"
           "Date: Wed, 2 Dec 2026 10:17:29 +0100\n"
           "Message-ID: <" + mid + ">\n"
           "Subject: Re: #capcomnet programme de jeudi\n"
           "To: " + WALL + "\n"
           'Content-Type: multipart/alternative; boundary="' + b + '"\n' +
           gmail_body(b, plain, htm))
    return crlf(msg), person("Camille Rousseau", "\n".join(said), mid)


@fixture("04-gmail-en-re-hashtag.eml")
def f04():
    mid = "CAHk2Vn7Rp9+Xs3Qm0aJd8eLw4TgYf1BcZ6uN5oI_rKhE2xMs7g@mail.gmail.com"
    said = "Count me in for the 2pm workshop – and my colleague Sam too 🙌"
    org = ("Hi all,\n\nWorkshops open for registration at 2pm today. Reply to this email with\n"
           "#capcomnet to book a seat.\n\nThe CapComNet team\n")
    # Gmail wraps the attribution inside the address and puts U+202F before AM.
    plain = (said + "\n\nOn Wed, Dec 2, 2026 at 9:41" + NNBSP + "AM Organisation CapComNet <\n"
             "orga@capcomnet.example> wrote:\n\n" + quote(org) + "\n")
    htm = ('<div dir="ltr">' + said + '</div><br><div class="gmail_quote gmail_quote_container"><div dir="ltr" '
           'class="gmail_attr">On Wed, Dec 2, 2026 at 9:41' + NNBSP + 'AM Organisation CapComNet &lt;<a '
           'href="mailto:orga@capcomnet.example">orga@capcomnet.example</a>&gt; wrote:<br></div><blockquote '
           'class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">'
           '<div dir="ltr">Hi all,<div><br></div><div>Workshops open for registration at 2pm today. Reply to this '
           'email with #capcomnet to book a seat.</div><div><br></div><div>The CapComNet team</div></div>'
           '</blockquote></div>\n')
    b = "0000000000007be3100620c1e0c5"
    msg = (delivery("priya.n@example.com", "mail-lf1-f50.google.com (mail-lf1-f50.google.com [209.85.167.50])",
                    "1C7D81C0A66", "bNq5CD+ebmkZGwAAm5Uw7w", "10:24:05") +
           google_block("04", "example.com", "2026-12-02 09:24:03 +0000", GMAIL_H_REPLY) +
           "MIME-Version: 1.0\n"
           "References: <" + ORG_EN_ID + ">\n"
           "In-Reply-To: <" + ORG_EN_ID + ">\n"
           "From: Priya Natarajan <priya.n@example.com>\n"
           "Date: Wed, 2 Dec 2026 09:24:03 +0000\n"
           "Message-ID: <" + mid + ">\n"
           "Subject: Re: #capcomnet\n"
           "To: " + WALL + "\n"
           'Content-Type: multipart/alternative; boundary="' + b + '"\n' +
           gmail_body(b, plain, htm))
    return crlf(msg), person("Priya Natarajan", said, mid)


@fixture("05-gmail-empty-body.eml")
def f05():
    mid = "CAPq4Lz0Wm3+Hd8Nv2Ks7Rb1YcT9eGf5XaJ6uQ_oPiE3nBr8Vtw@mail.gmail.com"
    subject = "Bravo aux bénévoles, quelle organisation 👏 #capcomnet"
    words = ew_b_words(subject, max_bytes=39)
    b = "000000000000e05a8b0620c1e7f9"
    msg = (delivery("nicolas.petit@example.net", "mail-qt1-f46.google.com (mail-qt1-f46.google.com [209.85.160.46])",
                    "3E9F01C0A71", "e1R3Lw9hbmkcGwAAm5Uw7w", "10:31:22") +
           google_block("05", "example.net", "2026-12-02 10:31:21 +0100", GMAIL_H_NEW) +
           "MIME-Version: 1.0\n"
           "From: Nicolas Petit <nicolas.petit@example.net>\n"
           "Date: Wed, 2 Dec 2026 10:31:21 +0100\n"
           "Message-ID: <" + mid + ">\n"
           "Subject: " + "\n\t".join(words) + "\n"
           "To: " + WALL + "\n"
           'Content-Type: multipart/alternative; boundary="' + b + '"\n' +
           gmail_body(b, "\n", '<div dir="ltr"><br></div>\n'))
    return crlf(msg), person("Nicolas Petit", subject, mid)


@fixture("06-gmail-forward.eml")
def f06():
    mid = "CABn6Tq1Xe8+Jr4Kw9Lp2Ud7Hy0Vs3Mc5FgZ1aO_bNtR6iEq9Dk@mail.gmail.com"
    said = "À afficher sur le mur : le programme complet est en ligne, n’hésitez pas à partager !"
    plain = (said + "\n\n---------- Forwarded message ---------\n"
             "From: " + ORG + "\n"
             "Date: Wed, Dec 2, 2026 at 9:41" + NNBSP + "AM\n"
             "Subject: #capcomnet programme de jeudi\n"
             "To: <sophie.lambert@example.org>\n\n\n" + ORG_FR + "\n")
    htm = ('<div dir="ltr">' + said + '<br><br><div class="gmail_quote gmail_quote_container"><div dir="ltr" '
           'class="gmail_attr">---------- Forwarded message ---------<br>From: <strong class="gmail_sendername" '
           'dir="auto">Organisation CapComNet</strong> <span dir="auto">&lt;<a href="mailto:orga@capcomnet.example">'
           'orga@capcomnet.example</a>&gt;</span><br>Date: Wed, Dec 2, 2026 at 9:41' + NNBSP + 'AM<br>Subject: '
           '#capcomnet programme de jeudi<br>To: &lt;<a href="mailto:sophie.lambert@example.org">'
           'sophie.lambert@example.org</a>&gt;<br></div><br><br>' + ORG_FR_HTML + '</div></div>\n')
    b = "00000000000019c4d20620c1f2a8"
    msg = (delivery("sophie.lambert@example.org", "mail-wm1-f47.google.com (mail-wm1-f47.google.com [209.85.128.47])",
                    "5A2C91C0A8D", "wJ8kP2m4bmk+GwAAm5Uw7w", "10:38:40") +
           google_block("06", "example.org", "2026-12-02 10:38:39 +0100", GMAIL_H_REPLY) +
           "MIME-Version: 1.0\n"
           "References: <" + ORG_ID + ">\n"
           "In-Reply-To: <" + ORG_ID + ">\n"
           "From: Sophie Lambert <sophie.lambert@example.org>\n"
           "Date: Wed, 2 Dec 2026 10:38:39 +0100\n"
           "Message-ID: <" + mid + ">\n"
           "Subject: Fwd: #capcomnet programme de jeudi\n"
           "To: " + WALL + "\n"
           'Content-Type: multipart/alternative; boundary="' + b + '"\n' +
           gmail_body(b, plain, htm))
    return crlf(msg), person("Sophie Lambert", said, mid)


# --- Apple Mail / iPhone -------------------------------------------------------------------------

def icloud_dkim(seed, domain, stamp):
    return ("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s; s=sig1;\n"
            "\tt=%d; bh=%s=;\n"
            "\th=From:Content-Type:Mime-Version:Subject:Message-Id:Date:To;\n"
            "\tb=%s\n" % (domain, epoch(stamp), fake_b64(seed + "bh", 43),
                          fold_b(fake_b64(seed + "b", 342) + "==", 60, 72, "\t ")))


@fixture("07-apple-mail-flowed-delsp.eml")
def f07():
    mid = "9C1E4B7A-52D3-4F08-A6E1-3B7D9F2C8E14@example.net"
    said = ("Super atelier ce matin sur le data-journalisme : les exemples de cartes interactives étaient "
            "très parlants, et les questions du public aussi. Toutes les ressources sont ici : "
            "https://capcomnet.example/ateliers/data-journalisme-2026/ressources-et-exemples-de-cartes-interactives"
            "\n\nJulien")
    body = qp(flow(said, 72, delsp=True))
    msg = (delivery("julien.moreau@example.net", "smtp.example.net (smtp.example.net [198.51.100.23])",
                    "6D4E11C0A92", "s9Tg1Aq0bmkNHAAAm5Uw7w", "10:46:02") +
           icloud_dkim("07", "example.net", "2026-12-02 10:45:58 +0100") +
           "From: Julien Moreau <julien.moreau@example.net>\n"
           "Content-Type: text/plain;\n"
           "\tcharset=utf-8;\n"
           "\tdelsp=yes;\n"
           "\tformat=flowed\n"
           "Content-Transfer-Encoding: quoted-printable\n"
           "Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.300.87.4.3\\))\n"
           "Subject: Atelier data-journalisme #capcomnet\n"
           "Message-Id: <" + mid + ">\n"
           "Date: Wed, 2 Dec 2026 10:45:58 +0100\n"
           "To: " + WALL + "\n"
           "X-Mailer: Apple Mail (2.3826.300.87.4.3)\n"
           "\n" + body + "\n")
    return crlf(msg), person("Julien Moreau", "Atelier data-journalisme #capcomnet\n" + said, mid)


@fixture("08-iphone-qp-footer.eml")
def f08():
    mid = "8E4C2F1A-3B7D-4D2E-9C61-5F0A7B3E9D24@example.com"
    said = "Le stand de la Région est top, passez goûter les crêpes au sarrasin 🥞 et voir la démo du casque VR !"
    msg = (delivery("ines.benali@example.com", "smtp.example.com (smtp.example.com [198.51.100.41])",
                    "2B8C31C0AA7", "Yc4rT0Kzbmk0HAAAm5Uw7w", "10:12:47") +
           icloud_dkim("08", "example.com", "2026-12-02 10:12:44 +0100") +
           "Content-Type: text/plain; charset=utf-8\n"
           "Content-Transfer-Encoding: quoted-printable\n"
           "From: " + ew_q("Inès Benali", "utf-8") + " <ines.benali@example.com>\n"
           "Mime-Version: 1.0 (1.0)\n"
           "Date: Wed, 2 Dec 2026 10:12:44 +0100\n"
           "Subject: #CapComNet\n"
           "Message-Id: <" + mid + ">\n"
           "To: " + WALL + "\n"
           "X-Mailer: iPhone Mail (23B85)\n"
           "\n" + qp(said + "\n\nEnvoyé de mon iPhone") + "\n")
    return crlf(msg), person("Inès Benali", said, mid)


@fixture("09-iphone-base64-reply.eml")
def f09():
    mid = "0F6D3A2B-9E84-4C1F-A5B7-2D8E6C4F1A93@example.org"
    said = "Super, on apporte les badges et la rallonge pour le stand 👍"
    attribution = "Le 2 déc. 2026 à 09:41, Organisation CapComNet <orga@capcomnet.example> a écrit :"
    plain = (said + "\n\nEnvoyé de mon iPhone\n\n" +
             quote(attribution + "\n\n" + BOM + ORG_FR, "> ") + "\n")
    htm = ('<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
           '<body dir="auto"><div dir="ltr">' + said + '</div><div dir="ltr"><br id="lineBreakAtBeginningOfSignature">'
           '<div dir="ltr">Envoyé de mon iPhone</div><div dir="ltr"><br><blockquote type="cite">Le 2 déc. 2026 à 09:41, '
           'Organisation CapComNet &lt;orga@capcomnet.example&gt; a écrit&nbsp;:<br><br></blockquote></div>'
           '<blockquote type="cite"><div dir="ltr">' + BOM + ORG_FR_HTML + '</div></blockquote></div></body></html>')
    b = "Apple-Mail-4B1E8C6D-2A93-4F7E-B0D5-9C3A1E6F8B27"
    msg = (delivery("hugo.lefebvre@example.org", "smtp.example.org (smtp.example.org [198.51.100.57])",
                    "8C1D51C0AB3", "pX7vS3Hnbmk3HAAAm5Uw7w", "10:21:40") +
           icloud_dkim("09", "example.org", "2026-12-02 10:21:37 +0100") +
           "Content-Type: multipart/alternative; boundary=" + b + "\n"
           "Content-Transfer-Encoding: 7bit\n"
           "From: Hugo Lefebvre <hugo.lefebvre@example.org>\n"
           "Mime-Version: 1.0 (1.0)\n"
           "Date: Wed, 2 Dec 2026 10:21:37 +0100\n"
           "Subject: Re: #capcomnet programme de jeudi\n"
           "Message-Id: <" + mid + ">\n"
           "References: <" + ORG_ID + ">\n"
           "In-Reply-To: <" + ORG_ID + ">\n"
           "To: " + WALL + "\n"
           "X-Mailer: iPhone Mail (23B85)\n"
           "\n\n--" + b + "\n"
           "Content-Type: text/plain;\n\tcharset=utf-8\n"
           "Content-Transfer-Encoding: base64\n\n" + b64text(plain) + "\n"
           "--" + b + "\n"
           "Content-Type: text/html;\n\tcharset=utf-8\n"
           "Content-Transfer-Encoding: base64\n\n" + b64text(htm) + "\n"
           "--" + b + "--\n")
    return crlf(msg), person("Hugo Lefebvre", said, mid)


@fixture("10-iphone-footer-only.eml")
def f10():
    mid = "3D9A7E52-1C4B-4F6A-8E20-B5C7D1F93A68@example.net"
    subject = "Quelle ambiance pour la soirée de clôture 🔥 #capcomnet"
    subj_hdr = (ew_q("Quelle ambiance pour la soirée de clôture ", "utf-8") + "\n " +
                ew_q("🔥 #capcomnet", "utf-8"))
    msg = (delivery("manon.girard@example.net", "smtp.example.net (smtp.example.net [198.51.100.23])",
                    "4F0A21C0AC8", "Bq2mW8Ecbmk6HAAAm5Uw7w", "22:48:15") +
           icloud_dkim("10", "example.net", "2026-12-02 22:48:11 +0100") +
           "Content-Type: text/plain; charset=utf-8\n"
           "Content-Transfer-Encoding: quoted-printable\n"
           "From: Manon Girard <manon.girard@example.net>\n"
           "Mime-Version: 1.0 (1.0)\n"
           "Date: Wed, 2 Dec 2026 22:48:11 +0100\n"
           "Subject: " + subj_hdr + "\n"
           "Message-Id: <" + mid + ">\n"
           "To: " + WALL + "\n"
           "X-Mailer: iPhone Mail (23B85)\n"
           "\n" + qp("\nEnvoyé de mon iPhone") + "\n")
    return crlf(msg), person("Manon Girard", subject, mid)


@fixture("11-iphone-photo-inline.eml")
def f11():
    mid = "6C3E9A51-0D4B-4F8E-A217-B5C9D0E3F142@example.com"
    said = "Le mur vu depuis la scène, bravo à tous ! 📸"
    b = "Apple-Mail-2F8D6B1C-7A45-4E93-9C0B-E1D3F5A7B926"
    msg = (delivery("ines.benali@example.com", "smtp.example.com (smtp.example.com [198.51.100.41])",
                    "0E5B71C0AD9", "Hk8xQ1Vbbmk9HAAAm5Uw7w", "15:02:33") +
           icloud_dkim("11", "example.com", "2026-12-02 15:02:29 +0100") +
           "Content-Type: multipart/mixed; boundary=" + b + "\n"
           "Content-Transfer-Encoding: 7bit\n"
           "From: " + ew_q("Inès Benali", "utf-8") + " <ines.benali@example.com>\n"
           "Mime-Version: 1.0 (1.0)\n"
           "Date: Wed, 2 Dec 2026 15:02:29 +0100\n"
           "Subject: " + ew_q("Vue de la scène #capcomnet", "utf-8") + "\n"
           "Message-Id: <" + mid + ">\n"
           "To: " + WALL + "\n"
           "X-Mailer: iPhone Mail (23B85)\n"
           "\n\n--" + b + "\n"
           "Content-Type: text/plain;\n\tcharset=utf-8\n"
           "Content-Transfer-Encoding: quoted-printable\n\n" + qp(said) + "\n"
           "--" + b + "\n"
           "Content-Type: image/jpeg;\n\tname=IMG_2041.jpeg;\n"
           "\tx-apple-part-url=7A21C4E9-3F5B-4D80-9E6A-1B2C3D4E5F60\n"
           "Content-Disposition: inline;\n\tfilename=IMG_2041.jpeg\n"
           "Content-Transfer-Encoding: base64\n\n" + b64(jpeg_gray8x8()) + "\n"
           "--" + b + "\n"
           "Content-Type: text/plain;\n\tcharset=utf-8\n"
           "Content-Transfer-Encoding: quoted-printable\n\n" + qp("\n\nEnvoyé de mon iPhone") + "\n"
           "--" + b + "--\n")
    return crlf(msg), person("Inès Benali", "Vue de la scène #capcomnet\n" + said, mid, attachments=1)


# --- Outlook -------------------------------------------------------------------------------------

OUTLOOK_STYLE = """<style><!--
/* Font Definitions */
@font-face
	{font-family:"Cambria Math";
	panose-1:2 4 5 3 5 4 6 3 2 4;}
@font-face
	{font-family:Aptos;}
/* Style Definitions */
p.MsoNormal, li.MsoNormal, div.MsoNormal
	{margin:0cm;
	font-size:12.0pt;
	font-family:"Aptos",sans-serif;
	mso-ligatures:standardcontextual;
	mso-fareast-language:EN-US;}
a:link, span.MsoHyperlink
	{mso-style-priority:99;
	color:#467886;
	text-decoration:underline;}
span.EmailStyle18
	{mso-style-type:personal-reply;
	font-family:"Aptos",sans-serif;
	color:windowtext;}
.MsoChpDefault
	{mso-style-type:export-only;
	font-size:10.0pt;
	mso-ligatures:none;}
@page WordSection1
	{size:612.0pt 792.0pt;
	margin:70.85pt 70.85pt 70.85pt 70.85pt;}
div.WordSection1
	{page:WordSection1;}
--></style><!--[if gte mso 9]><xml>
<o:shapedefaults v:ext="edit" spidmax="1026" />
</xml><![endif]--><!--[if gte mso 9]><xml>
<o:shapelayout v:ext="edit">
<o:idmap v:ext="edit" data="1" />
</o:shapelayout></xml><![endif]-->"""

OUTLOOK_HEAD = ('<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
                'xmlns:w="urn:schemas-microsoft-com:office:word" '
                'xmlns:m="http://schemas.microsoft.com/office/2004/12/omml" xmlns="http://www.w3.org/TR/REC-html40">'
                '<head><meta http-equiv=Content-Type content="text/html; charset=%s">'
                '<meta name=Generator content="Microsoft Word 15 (filtered medium)">' + OUTLOOK_STYLE + '</head>')


def mso_p(text):
    return "<p class=MsoNormal>%s<o:p></o:p></p>\n" % (text if text else "<o:p>&nbsp;</o:p>")


@fixture("12-outlook-fr-cp1252-reply.eml")
def f12():
    mid = "000d01db6f2a$3c5e7a80$b51b6f80$@ville-exemple.example"
    said = ["Bonjour,", "",
            "C’est noté" + NBSP + ": nous réservons 3 places à 40" + NBSP + "€ pour l’atelier de jeudi. Bravo "
            "pour ce programme, on sent le travail de cœur de toute l’équipe" + NBSP + "!",
            "", "Bien cordialement,", "Marc Lefèvre"]
    plain = ("\n".join(said) + "\n\n________________________________\n"
             "De" + NBSP + ": Organisation CapComNet <orga@capcomnet.example>\n"
             "Envoyé" + NBSP + ": mercredi 2 décembre 2026 09:41\n"
             "À" + NBSP + ": mur@capcomnet.example\n"
             "Objet" + NBSP + ": #capcomnet programme de jeudi\n\n" + ORG_FR + "\n")
    esc = lambda s: s.replace(NBSP, "&nbsp;")
    htm = (OUTLOOK_HEAD % "windows-1252" +
           "<body lang=FR link=\"#467886\" vlink=\"#96607D\" style='word-wrap:break-word'>"
           "<div class=WordSection1>\n" + "".join(mso_p(esc(p)) for p in said) + mso_p("") +
           "<div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'>\n"
           "<p class=MsoNormal><b><span style='font-size:11.0pt;font-family:\"Calibri\",sans-serif'>De&nbsp;:</span></b>"
           "<span style='font-size:11.0pt;font-family:\"Calibri\",sans-serif'> Organisation CapComNet "
           "&lt;orga@capcomnet.example&gt; <br><b>Envoyé&nbsp;:</b> mercredi 2 décembre 2026 09:41<br>"
           "<b>À&nbsp;:</b> mur@capcomnet.example<br><b>Objet&nbsp;:</b> #capcomnet programme de jeudi<o:p></o:p>"
           "</span></p></div>\n" + "".join(mso_p(esc(p)) for p in ORG_FR.split("\n")) + "</div></body></html>")
    b = "----=_NextPart_000_000E_01DB6F32.9E22E280"
    msg = (delivery("marc.lefevre@ville-exemple.example", "smtp.ville-exemple.example (smtp.ville-exemple.example "
                    "[203.0.113.18])", "B72E91C0AE4", "Tz5cN6Gwbmk/HAAAm5Uw7w", "10:58:34") +
           "From: " + ew_q("Marc Lefèvre", "iso-8859-1", "latin-1") + " <marc.lefevre@ville-exemple.example>\n"
           "To: <" + WALL + ">\n"
           "References: <" + ORG_ID + ">\n"
           "In-Reply-To: <" + ORG_ID + ">\n"
           "Subject: RE : #capcomnet programme de jeudi\n"
           "Date: Wed, 2 Dec 2026 10:58:31 +0100\n"
           "Message-ID: <" + mid + ">\n"
           "MIME-Version: 1.0\n"
           "Content-Type: multipart/alternative;\n"
           '\tboundary="' + b + '"\n'
           "X-Mailer: Microsoft Outlook 16.0\n"
           "Thread-Index: AQHbbyo8Xnp+tRtvgLUbb4DxX1e2Q7SZ1kAw\n"
           "Content-Language: fr\n"
           "\nThis is a multipart message in MIME format.\n\n"
           "--" + b + "\n"
           'Content-Type: text/plain;\n\tcharset="Windows-1252"\n'
           "Content-Transfer-Encoding: quoted-printable\n\n" + qp(plain, "cp1252") + "\n"
           "--" + b + "\n"
           'Content-Type: text/html;\n\tcharset="Windows-1252"\n'
           "Content-Transfer-Encoding: quoted-printable\n\n" + qp(htm, "cp1252") + "\n"
           "--" + b + "--\n\n")
    return crlf(msg), person("Marc Lefèvre", "\n".join(said), mid)


@fixture("13-outlook-fr-message-d-origine.eml")
def f13():
    mid = "001b01db6f2c$8a4e3f20$9eeabd60$@mediatheque-exemple.example"
    said = ["Parfait, merci ! Nous serons 4 de la médiathèque, dont l’équipe jeunesse.", "", "Anne Caron"]
    plain = ("\n".join(said) + "\n\n-----Message d'origine-----\n"
             "De : Organisation CapComNet <orga@capcomnet.example> \n"
             "Envoyé : mercredi 2 décembre 2026 09:41\n"
             "À : mur@capcomnet.example\n"
             "Objet : #capcomnet programme de jeudi\n\n" + ORG_FR + "\n\n")
    # Labelled iso-8859-1 but the ’ are Windows-1252 bytes 0x92 (old Outlook did exactly this).
    msg = (delivery("anne.caron@mediatheque-exemple.example", "smtp.mediatheque-exemple.example "
                    "(smtp.mediatheque-exemple.example [203.0.113.45])", "C83F01C0AF5", "Lr0eG5Xvbmk/HAAAm5Uw7w",
                    "11:07:55") +
           "From: \"Anne Caron\" <anne.caron@mediatheque-exemple.example>\n"
           "To: <" + WALL + ">\n"
           "References: <" + ORG_ID + ">\n"
           "In-Reply-To: <" + ORG_ID + ">\n"
           "Subject: RE : #capcomnet programme de jeudi\n"
           "Date: Wed, 2 Dec 2026 11:07:52 +0100\n"
           "Message-ID: <" + mid + ">\n"
           "MIME-Version: 1.0\n"
           'Content-Type: text/plain;\n\tcharset="iso-8859-1"\n'
           "Content-Transfer-Encoding: quoted-printable\n"
           "X-Mailer: Microsoft Outlook 16.0\n"
           "Thread-Index: AQHbbyo8Xnp+tRtvgLUbb4DxX1e2Q7Sa4fNg\n"
           "Content-Language: fr\n"
           "\n" + qp(plain, "cp1252") + "\n")
    return crlf(msg), person("Anne Caron", "\n".join(said), mid)


def exchange_online(seed, domain, stamp, hdrs):
    return ("DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s;\n"
            " s=selector1;\n"
            " h=From:Date:Subject:Message-ID:Content-Type:MIME-Version:X-MS-Exchange-SenderADCheck;\n"
            " bh=%s=;\n"
            " b=%s\n" % (domain, fake_b64(seed + "bh", 43), fold_b(fake_b64(seed + "b", 342) + "==", 62, 70, " ")))


@fixture("14-outlook-en-from-sent-block.eml")
def f14():
    server = "DB9PR08MB6620.eurprd08.prod.outlook.com"
    mid = "DB9PR08MB6620E3A1C4F2B7D58A9E3C41D2F62@" + server
    said = ["Thanks – we’ll be there at 9. The café on the ground floor does great flat whites, by the way ☕",
            "", "Grace"]
    org = "Hi all,\nDay 2 starts at 9:00 sharp in the main hall. Workshops at 2pm.\nSee you tomorrow!"
    plain = ("\n".join(said) + "\n\n"
             "From: Organisation CapComNet <orga@capcomnet.example>\n"
             "Sent: Wednesday, December 2, 2026 9:41 AM\n"
             "To: mur@capcomnet.example\n"
             "Subject: #capcomnet Day 2 agenda\n\n" + org + "\n")
    htm = (OUTLOOK_HEAD % "utf-8" + "<body lang=EN-GB link=\"#467886\" vlink=\"#96607D\" style='word-wrap:break-word'>"
           "<div class=WordSection1>\n" + "".join(mso_p(p) for p in said) + mso_p("") +
           "<div id=\"mail-editor-reference-message-container\"><div>\n"
           "<div style='border:none;border-top:solid #B5C4DF 1.0pt;padding:3.0pt 0cm 0cm 0cm'>\n"
           "<p class=MsoNormal style='margin-bottom:12.0pt'><b><span style='color:black'>From: </span></b>"
           "<span style='color:black'>Organisation CapComNet &lt;orga@capcomnet.example&gt;<br><b>Sent: </b>Wednesday, "
           "December 2, 2026 9:41 AM<br><b>To: </b>mur@capcomnet.example<br><b>Subject: </b>#capcomnet Day 2 agenda"
           "<o:p></o:p></span></p></div>\n" + "".join(mso_p(p) for p in org.split("\n")) +
           "</div></div></div></body></html>")
    b = "_000_DB9PR08MB6620E3A1C4F2B7D58A9E3C41D2F62DB9PR08MB6620eurp_"
    msg = (delivery("grace.okafor@contoso-events.example",
                    "EUR05-DB8-obe.outbound.protection.outlook.com (mail-db8eur05on2112.outbound.protection.outlook.com "
                    "[40.107.20.112])", "D94A11C0B06", "Vn3kR8Yubmk/HAAAm5Uw7w", "09:03:12") +
           exchange_online("14", "contoso-events.example", "2026-12-02 08:03:09 +0000", "") +
           "From: \"Okafor, Grace\" <grace.okafor@contoso-events.example>\n"
           "To: \"mur@capcomnet.example\" <mur@capcomnet.example>\n"
           "Subject: RE: #capcomnet Day 2 agenda\n"
           "Thread-Topic: #capcomnet Day 2 agenda\n"
           "Thread-Index: AQHbb0X2nKq7m0T5Fk2VdJ9jC1k8ZbS9tLnA\n"
           "Date: Wed, 2 Dec 2026 08:03:09 +0000\n"
           "Message-ID: <" + mid + ">\n"
           "References: <" + ORG_EN_ID + ">\n"
           "In-Reply-To: <" + ORG_EN_ID + ">\n"
           "Accept-Language: en-GB, en-US\n"
           "Content-Language: en-GB\n"
           "X-MS-Has-Attach:\n"
           "X-MS-TNEF-Correlator:\n"
           "msip_labels:\n"
           "x-ms-publictraffictype: Email\n"
           "x-ms-traffictypediagnostic: DB9PR08MB6620:EE_|AS8PR08MB9954:EE_\n"
           "Content-Type: multipart/alternative;\n"
           '\tboundary="' + b + '"\n'
           "MIME-Version: 1.0\n"
           "\n--" + b + "\n"
           'Content-Type: text/plain; charset="utf-8"\n'
           "Content-Transfer-Encoding: quoted-printable\n\n" + qp(plain) + "\n"
           "--" + b + "\n"
           'Content-Type: text/html; charset="utf-8"\n'
           "Content-Transfer-Encoding: quoted-printable\n\n" + qp(htm) + "\n"
           "--" + b + "--\n")
    return crlf(msg), person("Okafor, Grace", "\n".join(said), mid)


@fixture("15-outlook-ios-footer.eml")
def f15():
    server = "AM9PR07MB7219.eurprd07.prod.outlook.com"
    mid = "AM9PR07MB7219F3B2C5E48A1D6B0E7F93C84A2@" + server
    said = "Énorme file d’attente au vestiaire, prévoyez 10 min ! Sinon ambiance géniale 😄"
    plain = said + "\n\nObtenir Outlook pour iOS<https://aka.ms/o0ukef>\n"
    htm = ('<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n</head>\n'
           '<body>\n<div dir="ltr">\n<div dir="ltr" style="font-family: Aptos, sans-serif; font-size: 12pt; '
           'color: rgb(0, 0, 0);">' + said + '</div>\n<div id="ms-outlook-mobile-signature" dir="ltr">\n'
           '<div><br>\n</div>\nObtenir <a href="https://aka.ms/o0ukef">Outlook pour iOS</a></div>\n</div>\n'
           '</body>\n</html>\n')
    b = "_000_AM9PR07MB7219F3B2C5E48A1D6B0E7F93C84A2AM9PR07MB7219eurp_"
    msg = (delivery("thomas.nguyen@example.com",
                    "EUR03-AM7-obe.outbound.protection.outlook.com (mail-am7eur03on2071.outbound.protection.outlook.com "
                    "[40.107.105.71])", "E05B21C0B17", "Pw6tX1Jtbmk/HAAAm5Uw7w", "11:27:22") +
           exchange_online("15", "example.com", "2026-12-02 10:27:19 +0000", "") +
           "From: Thomas Nguyen <thomas.nguyen@example.com>\n"
           "To: \"mur@capcomnet.example\" <mur@capcomnet.example>\n"
           "Subject: Vestiaire #capcomnet\n"
           "Thread-Topic: Vestiaire #capcomnet\n"
           "Thread-Index: AQHbb2k0dW4xk9Z3QEy8nT2VfXc6Aw==\n"
           "Date: Wed, 2 Dec 2026 10:27:19 +0000\n"
           "Message-ID: <" + mid + ">\n"
           "Accept-Language: fr-FR, en-US\n"
           "Content-Language: fr-FR\n"
           "X-MS-Has-Attach:\n"
           "X-MS-TNEF-Correlator:\n"
           "Content-Type: multipart/alternative;\n"
           '\tboundary="' + b + '"\n'
           "MIME-Version: 1.0\n"
           "\n--" + b + "\n"
           'Content-Type: text/plain; charset="utf-8"\n'
           "Content-Transfer-Encoding: base64\n\n" + b64text(plain) + "\n\n"
           "--" + b + "\n"
           'Content-Type: text/html; charset="utf-8"\n'
           "Content-Transfer-Encoding: base64\n\n" + b64text(htm) + "\n\n"
           "--" + b + "--\n")
    return crlf(msg), person("Thomas Nguyen", "Vestiaire #capcomnet\n" + said, mid)


@fixture("16-samsung-email-reply.eml")
def f16():
    mid = "1c4a8f2e-5d7b-4e93-8a61-0f2b9c3d7e58@email.android.com"
    said = "Merci, à tout à l’heure ! Je garde une place pour Inès."
    plain = (said + "\n\n\n\nEnvoyé depuis mon appareil Galaxy\n\n\n\n"
             "-------- Message d'origine --------\n"
             "De : " + ORG + " \n"
             "Date : 02/12/2026 09:41 (GMT+01:00) \n"
             "À : mur@capcomnet.example \n"
             "Objet : #capcomnet programme de jeudi \n\n" + ORG_FR + "\n")
    htm = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"></head><body>'
           '<div dir="auto">' + said + '</div><div dir="auto"><br></div><div dir="auto"><br></div><div dir="auto">'
           '<br></div><div id="composer_signature" dir="auto"><div style="font-size:12px;color:#575757" dir="auto">'
           'Envoyé depuis mon appareil Galaxy</div></div><div dir="auto"><br></div><div><br></div>'
           '<div align="left" dir="auto" style="font-size:100%;color:#000000"><div>-------- Message d\'origine --------'
           '</div><div>De : Organisation CapComNet &lt;orga@capcomnet.example&gt; </div><div>Date : 02/12/2026 09:41 '
           '(GMT+01:00) </div><div>À : mur@capcomnet.example </div><div>Objet : #capcomnet programme de jeudi </div>'
           '<div><br></div></div>' + ORG_FR_HTML + '</body></html>')
    b = "--_com.samsung.android.email_1296438211738520"
    msg = (delivery("yasmine.haddad@example.com", "smtp.example.com (smtp.example.com [198.51.100.41])",
                    "F16C31C0B28", "Ju1fA9Dsbmk/HAAAm5Uw7w", "10:18:06") +
           "Message-ID: <" + mid + ">\n"
           "Date: Wed, 02 Dec 2026 10:18:02 +0100\n"
           "Subject: RE: #capcomnet programme de jeudi\n"
           "In-Reply-To: <" + ORG_ID + ">\n"
           "From: Yasmine Haddad <yasmine.haddad@example.com>\n"
           "To: " + WALL + "\n"
           "MIME-Version: 1.0\n"
           'Content-Type: multipart/alternative; boundary="' + b + '"\n'
           "\n--" + b + "\n"
           "Content-Type: text/plain; charset=utf-8\n"
           "Content-Transfer-Encoding: base64\n\n" + b64text(plain) + "\n\n"
           "--" + b + "\n"
           "Content-Type: text/html; charset=utf-8\n"
           "Content-Transfer-Encoding: base64\n\n" + b64text(htm) + "\n\n"
           "--" + b + "--\n")
    return crlf(msg), person("Yasmine Haddad", said, mid)


# --- Old clients, charset oddities -----------------------------------------------------------------

@fixture("17-outlook-express-latin1.eml")
def f17():
    mid = "001a01dc6f2d$4b8f2a10$0201a8c0@PCSALON"
    subject = "Tarif étudiant à 10 € ? #capcomnet"
    subj_hdr = "=?iso-8859-15?Q?Tarif_=E9tudiant_=E0_10_=A4_=3F_=23capcomnet?="
    said = ("Bonjour,\n\nLe tarif étudiant s'applique-t-il aussi aux apprentis ? Je viens avec deux apprentis "
            "de l'école.\n\nMerci d'avance,\nLéa")
    body = said + "\n\n"
    msg = (delivery("lea.dupre@wanadoo.example", "smtp.wanadoo.example (smtp.wanadoo.example [192.0.2.31])",
                    "A27D41C0B39", "Ge4sH2Cfbmk/HAAAm5Uw7w", "10:30:04", tls=False) +
           "Message-ID: <" + mid + ">\n"
           "From: =?ISO-8859-1?Q?L=E9a_Dupr?=\n =?ISO-8859-1?Q?=E9?= <lea.dupre@wanadoo.example>\n"
           "To: <" + WALL + ">\n"
           "Subject: " + subj_hdr + "\n"
           "Date: Wed, 2 Dec 2026 10:30:00 +0100\n"
           "MIME-Version: 1.0\n"
           "Content-Type: text/plain;\n"
           '\tcharset="iso-8859-1"\n'
           "Content-Transfer-Encoding: 8bit\n"
           "X-Priority: 3\n"
           "X-MSMail-Priority: Normal\n"
           "X-Mailer: Microsoft Outlook Express 6.00.2900.5931\n"
           "X-MimeOLE: Produced By Microsoft MimeOLE V6.00.2900.6157\n"
           "\n" + body)
    return crlf(msg, "latin-1"), person("Léa Dupré", subject + "\n" + said, mid)


@fixture("18-eudora-latin1-0x92.eml")
def f18():
    mid = "7.1.0.9.2.20261202111841.02b4e6c0@example.com"
    said = ("J’ai adoré la table ronde sur l’IA générative… et le buffet à 5 €, imbattable !\n\n"
            "François")
    msg = (delivery("fmercier@example.com", "mail.example.com (mail.example.com [192.0.2.64])",
                    "B38E51C0B4A", "Ra7dK4Lebmk/HAAAm5Uw7w", "11:20:44") +
           "X-Mailer: QUALCOMM Windows Eudora Version 7.1.0.9\n"
           "Date: Wed, 02 Dec 2026 11:20:41 +0100\n"
           "To: " + WALL + "\n"
           "From: " + ew_q("François Mercier", "iso-8859-1", "latin-1") + " <fmercier@example.com>\n"
           "Subject: Table ronde IA #capcomnet\n"
           "Mime-Version: 1.0\n"
           "Message-ID: <" + mid + ">\n"
           'Content-Type: text/plain; charset="iso-8859-1"\n'
           "Content-Transfer-Encoding: quoted-printable\n"
           "\n" + qp(said + "\n", "cp1252") + "\n")
    return crlf(msg), person("François Mercier", "Table ronde IA #capcomnet\n" + said, mid)


@fixture("19-netscape-x-unknown.eml")
def f19():
    mid = "3A2F1B4C.8D6E2F10@example.net"
    said = ("Tres bonne organisation, bravo. J'ai particulierement apprecie la table ronde de 11h\n"
            "et le fait de voir les messages de tout le monde sur le grand ecran.\n\n"
            "Bernard")
    msg = (delivery("b.lemoine@example.net", "smtp.example.net (smtp.example.net [198.51.100.23])",
                    "C49F61C0B5B", "Um8eL5Mdbmk/HAAAm5Uw7w", "10:33:03", tls=False) +
           "Message-ID: <" + mid + ">\n"
           "Date: Wed, 02 Dec 2026 10:33:00 +0100\n"
           "From: Bernard Lemoine <b.lemoine@example.net>\n"
           "X-Mailer: Mozilla 4.8 [fr] (Windows NT 5.0; U)\n"
           "X-Accept-Language: fr\n"
           "MIME-Version: 1.0\n"
           "To: " + WALL + "\n"
           "Subject: #capcomnet\n"
           "Content-Type: text/plain; charset=x-unknown\n"
           "Content-Transfer-Encoding: 7bit\n"
           "\n" + said + "\n")
    return crlf(msg), person("Bernard Lemoine", said, mid)


@fixture("20-mime-lite-utf8-label.eml")
def f20():
    mid = "20261202093612.5C0F81A2B4@intranet.mairie-exemple.example"
    subject = "Merci de la part des élus #capcomnet"
    said = "Les élus sont ravis de l’accueil, merci ! Photos officielles à venir sur le site de la ville."
    msg = (delivery("www-data@intranet.mairie-exemple.example", "intranet.mairie-exemple.example "
                    "(intranet.mairie-exemple.example [203.0.113.77])", "D5A071C0B6C", "Wo9fM6Ncbmk/HAAAm5Uw7w",
                    "10:36:14") +
           "Received: by intranet.mairie-exemple.example (Postfix, from userid 33)\n"
           "\tid 5C0F81A2B4; Wed,  2 Dec 2026 10:36:12 +0100 (CET)\n"
           "Content-Disposition: inline\n"
           "Content-Transfer-Encoding: 8bit\n"
           "Content-Type: text/plain; charset=utf8\n"
           "MIME-Version: 1.0\n"
           "X-Mailer: MIME::Lite 3.033 (F2.85; T2.17; A2.21; B3.15; Q3.13)\n"
           "Date: Wed, 2 Dec 2026 10:36:12 +0100\n"
           "From: \"Nathalie Roux\" <nathalie.roux@mairie-exemple.example>\n"
           "To: " + WALL + "\n"
           "Subject: " + ew_b(subject, "UTF-8", "utf-8") + "\n"
           "Message-Id: <" + mid + ">\n"
           "\n" + said + "\n")
    return crlf(msg, "utf-8"), person("Nathalie Roux", subject + "\n" + said, mid)


def split_b(data, cuts, charset="UTF-8"):
    """B words cut at arbitrary BYTE offsets (inside a UTF-8 sequence), as some senders do."""
    parts, last = [], 0
    for c in list(cuts) + [len(data)]:
        parts.append("=?%s?B?%s?=" % (charset, base64.b64encode(data[last:c]).decode()))
        last = c
    return parts


def split_q(data, cuts, charset="UTF-8"):
    parts, last = [], 0
    for c in list(cuts) + [len(data)]:
        chunk = "".join("_" if b == 0x20 else (chr(b) if (b < 128 and (chr(b).isalnum() or chr(b) in "-#"))
                                                else "=%02X" % b) for b in data[last:c])
        parts.append("=?%s?Q?%s?=" % (charset, chunk))
        last = c
    return parts


@fixture("21-lotus-notes-split-words.eml")
def f21():
    mid = "OF4A2B1C3D.5E6F7A8B-ONC1258A2E.0034F1D2-C1258A2E.0035A7B3@ville-exemple.example"
    name = "Hélène Château".encode("utf-8")          # H C3A9 l C3A8 n e _ C h C3A2 t e a u
    frm = split_b(name, [2, 12])                     # cuts inside "é" (after H\xc3) and inside "â" (after Ch\xc3)
    subject = "Démo réalité augmentée #capcomnet"
    subj = split_q(subject.encode("utf-8"), [2, 14])  # cuts after 'D\xc3' and inside the 2nd 'é'
    said = ("La démo de réalité augmentée du stand patrimoine est bluffante : on voit le château tel "
            "qu’il était en 1450 !")
    msg = (delivery("helene.chateau@ville-exemple.example", "mx-out.ville-exemple.example "
                    "(mx-out.ville-exemple.example [203.0.113.19])", "E6B181C0B7D", "Xp0gN7Obbmk/HAAAm5Uw7w",
                    "10:41:25") +
           "MIME-Version: 1.0\n"
           "Subject: " + "\n ".join(subj) + "\n"
           "To: " + WALL + "\n"
           "X-Mailer: IBM Notes Release 9.0.1FP10 SHF68 March 07, 2019\n"
           "Message-ID: <" + mid + ">\n"
           "From: " + "\n ".join(frm) + " <helene.chateau@ville-exemple.example>\n"
           "Date: Wed, 2 Dec 2026 10:41:22 +0100\n"
           "X-MIMETrack: Serialize by Router on SRV-NOTES01/VILLE(Release 9.0.1FP10 HF383|December 12, 2018) at\n"
           " 02/12/2026 10:41:22\n"
           'Content-type: TEXT/PLAIN; CHARSET="UTF-8"\n'
           "Content-Transfer-Encoding: QUOTED-PRINTABLE\n"
           "Content-Disposition: inline\n"
           "\n" + qp(said + "\n") + "\n")
    return crlf(msg), person("Hélène Château", subject + "\n" + said, mid)


# --- Thunderbird ---------------------------------------------------------------------------------

@fixture("22-thunderbird-pdf-attachment.eml")
def f22():
    mid = "3f2a9c1e-8b7d-4e6f-9a0b-1c2d3e4f5a6b@amis-numerique.example"
    subject = "Programme de l’été #capcomnet"
    said = ("Bonjour,\n\nVoici le programme des rencontres de l’été en PDF, à afficher sur le mur si possible. "
            "Les inscriptions ouvrent lundi.\n\nBonne journée à tous !")
    text = said + "\n\n-- \nPaul Martin\nAssociation Les Amis du Numérique\n01 99 00 12 34\n"
    b = "------------0aBcDeFgHiJkLmNoPqRsTuVw"
    msg = (delivery("paul.martin@amis-numerique.example", "smtp.amis-numerique.example "
                    "(smtp.amis-numerique.example [192.0.2.88])", "F7C291C0B8E", "Yq1hO8Pabmk/HAAAm5Uw7w",
                    "11:02:20") +
           "Message-ID: <" + mid + ">\n"
           "Date: Wed, 2 Dec 2026 11:02:17 +0100\n"
           "MIME-Version: 1.0\n"
           "User-Agent: Mozilla Thunderbird\n"
           "Content-Language: fr\n"
           "To: " + WALL + "\n"
           "From: Paul Martin <paul.martin@amis-numerique.example>\n"
           "Subject: " + ew_q(subject, "UTF-8", "utf-8") + "\n"
           'Content-Type: multipart/mixed; boundary="' + b + '"\n'
           "\nThis is a multi-part message in MIME format.\n"
           "--" + b + "\n"
           "Content-Type: text/plain; charset=UTF-8; format=flowed\n"
           "Content-Transfer-Encoding: 8bit\n\n" + flow(text, 72) + "\n"
           "--" + b + "\n"
           'Content-Type: application/pdf; name="=?UTF-8?Q?programme_=C3=A9t=C3=A9=2Epdf?="\n'
           "Content-Disposition: attachment;\n"
           " filename*=UTF-8''programme%20%C3%A9t%C3%A9.pdf\n"
           "Content-Transfer-Encoding: base64\n\n" + b64(pdf_programme(), 72) + "\n\n"
           "--" + b + "--\n")
    return crlf(msg, "utf-8"), person("Paul Martin", subject + "\n" + said, mid, attachments=1)


@fixture("23-thunderbird-related-inline-image.eml")
def f23():
    mid = "a7e3c1d9-4b2f-4e8a-b6d0-5f9c2e1a3b74@example.org"
    cid = "part1.Jd8xQ2Lm.Vb3nR7Tk@example.org"
    htm = ("<!DOCTYPE html>\n<html>\n  <head>\n\n    <meta http-equiv=\"content-type\" content=\"text/html; "
           "charset=UTF-8\">\n  </head>\n  <body>\n    <p>Le stand vu d’en haut&nbsp;:</p>\n"
           "    <p><img src=\"cid:" + cid + "\" alt=\"\" class=\"\" moz-do-not-send=\"false\"></p>\n"
           "    <p>Rendez-vous à 14&nbsp;h pour la démo de la table tactile&nbsp;!<br>\n    </p>\n"
           "    <div class=\"moz-signature\">-- <br>\n      Aïcha Diallo<br>\n      Studio Baobab</div>\n"
           "  </body>\n</html>\n")
    outer, rel = "------------7xV0Jm2Kq9LdPz4Rw1Tn8Ys3", "------------Hc5Fb0Ng6WaQe2Mu9Xk7Lr4D"
    msg = (delivery("aicha.diallo@example.org", "smtp.example.org (smtp.example.org [198.51.100.57])",
                    "0A8D31C0B9F", "Zr2iP9Q0bmk/HAAAm5Uw7w", "14:06:51") +
           "Message-ID: <" + mid + ">\n"
           "Date: Wed, 2 Dec 2026 14:06:48 +0100\n"
           "MIME-Version: 1.0\n"
           "User-Agent: Mozilla Thunderbird\n"
           "Content-Language: fr\n"
           "To: " + WALL + "\n"
           "From: " + ew_q("Aïcha Diallo", "UTF-8", "utf-8") + " <aicha.diallo@example.org>\n"
           "Subject: #capcomnet\n"
           'Content-Type: multipart/mixed; boundary="' + outer + '"\n'
           "\nThis is a multi-part message in MIME format.\n"
           "--" + outer + "\n"
           'Content-Type: multipart/related; boundary="' + rel + '"\n\n'
           "--" + rel + "\n"
           "Content-Type: text/html; charset=UTF-8\n"
           "Content-Transfer-Encoding: 8bit\n\n" + htm + "--" + rel + "\n"
           'Content-Type: image/png; name="stand.png"\n'
           'Content-Disposition: inline; filename="stand.png"\n'
           "Content-Id: <" + cid + ">\n"
           "Content-Transfer-Encoding: base64\n\n" + b64(png(16, 12, (230, 90, 40)), 72) + "\n"
           "--" + rel + "--\n"
           "--" + outer + "\n"
           'Content-Type: image/png; name="affiche-scene.png"\n'
           'Content-Disposition: attachment; filename="affiche-scene.png"\n'
           "Content-Transfer-Encoding: base64\n\n" + b64(png(24, 32, (20, 60, 140)), 72) + "\n\n"
           "--" + outer + "--\n")
    said = "Le stand vu d’en haut" + NBSP + ":\nRendez-vous à 14" + NBSP + "h pour la démo de la table tactile" + NBSP + "!"
    return crlf(msg, "utf-8"), person("Aïcha Diallo", said, mid, attachments=1)


@fixture("24-thunderbird-pgp-signed.eml")
def f24():
    mid = "e2b7d4a1-9c3f-4d58-8e6a-7f1b0c2d9e35@example.net"
    subject = "Merci pour le live-tweet #capcomnet"
    said = ("Bravo à l’équipe du live-tweet, on a suivi toute la plénière depuis Lyon grâce à vous. "
            "Les extraits vidéo sur le mur étaient une super idée.")
    text = said + "\n\n-- \nÉlise Marchand\n"
    outer, inner = "------------S1gN3dB0uNdArY0001xYzQw", "------------InNeRbOuNdArY0002aBcDe"
    sig = fake_b64("24sig", 880)
    sig_block = ("-----BEGIN PGP SIGNATURE-----\n\nwsF5BAABCAAjFiEE" + fold_b(sig, 48, 64, "") +
                 "=\n=" + fake_b64("24crc", 4) + "\n-----END PGP SIGNATURE-----\n")
    frm = ew_q("Élise Marchand", "UTF-8", "utf-8") + " <elise.marchand@example.net>"
    subj = ew_q(subject, "UTF-8", "utf-8") if not subject.isascii() else subject
    msg = (delivery("elise.marchand@example.net", "smtp.example.net (smtp.example.net [198.51.100.23])",
                    "1B9E41C0BA0", "As3jQ0R1bmk/HAAAm5Uw7w", "16:44:09") +
           "Message-ID: <" + mid + ">\n"
           "Date: Wed, 2 Dec 2026 16:44:06 +0100\n"
           "MIME-Version: 1.0\n"
           "User-Agent: Mozilla Thunderbird\n"
           "Content-Language: fr\n"
           "To: " + WALL + "\n"
           "From: " + frm + "\n"
           "Subject: " + subj + "\n"
           "Content-Type: multipart/signed; micalg=pgp-sha256;\n"
           ' protocol="application/pgp-signature";\n'
           ' boundary="' + outer + '"\n'
           "\nThis is an OpenPGP/MIME signed message (RFC 4880 and 3156)\n"
           "--" + outer + "\n"
           'Content-Type: multipart/mixed; boundary="' + inner + '";\n'
           ' protected-headers="v1"\n'
           "Message-ID: <" + mid + ">\n"
           "Date: Wed, 2 Dec 2026 16:44:06 +0100\n"
           "MIME-Version: 1.0\n"
           "User-Agent: Mozilla Thunderbird\n"
           "Content-Language: fr\n"
           "To: " + WALL + "\n"
           "From: " + frm + "\n"
           "Subject: " + subj + "\n\n"
           "--" + inner + "\n"
           "Content-Type: text/plain; charset=UTF-8; format=flowed\n"
           "Content-Transfer-Encoding: quoted-printable\n\n" + qp(flow(text, 72)) + "\n\n"
           "--" + inner + "--\n\n"
           "--" + outer + "\n"
           'Content-Type: application/pgp-signature; name="OpenPGP_signature.asc"\n'
           "Content-Description: OpenPGP digital signature\n"
           'Content-Disposition: attachment; filename="OpenPGP_signature.asc"\n\n' + sig_block + "\n"
           "--" + outer + "--\n")
    return crlf(msg), person("Élise Marchand", subject + "\n" + said, mid, attachments=0)


# --- HTML only, subject rules, address forms -------------------------------------------------------

@fixture("25-kiosk-html-only.eml")
def f25():
    mid = "Xk3q9LmT2vB8nR4cW7yZ1aD6fG0hJ5sE@kiosque.capcomnet.example"
    htm = """<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Message depuis la borne</title>
<style type="text/css">
  body { font-family: Arial, sans-serif; color: #222; }
  p.intro:before { content: "Borne Hall A"; }
</style>
<script type="text/javascript">
  var borne = {id: "hall-a", tag: "#capcomnet"};
  if (1 < 2 && borne.tag) { console.log("envoi <p>ok</p>"); }
</script>
</head>
<body>
<!-- borne v2.3.1 : message saisi le 02/12/2026 à 10:44, ne pas répondre -->
<img src="https://kiosque.capcomnet.example/static/logo-borne.png" width="120" height="40" alt="">
<p class="intro">Trop bien l&rsquo;atelier &laquo;&nbsp;Cr&eacute;er &amp; partager&nbsp;&raquo;&nbsp;! &#128079;&#128079;</p>
<p>Merci &agrave; toute l'&eacute;quipe<br>et rendez-vous sur <a href="https://capcomnet.example/replays">la page des replays</a> &#x1F389;</p>
<!--[if mso]><p>Version Outlook</p><![endif]-->
</body>
</html>
"""
    said = ("Trop bien l’atelier «" + NBSP + "Créer & partager" + NBSP + "»" + NBSP + "! 👏👏\n"
            "Merci à toute l'équipe\net rendez-vous sur la page des replays 🎉")
    msg = (delivery("borne-hall-a@kiosque.capcomnet.example", "kiosque.capcomnet.example "
                    "(kiosque.capcomnet.example [192.0.2.140])", "2C0F51C0BB1", "Bt4kR1S2bmk/HAAAm5Uw7w",
                    "10:44:11", tls=False) +
           "Date: Wed, 2 Dec 2026 10:44:09 +0100\n"
           "To: " + WALL + "\n"
           "From: " + ew_q("Chloé", "UTF-8", "utf-8") + " <borne-hall-a@kiosque.capcomnet.example>\n"
           "Subject: #capcomnet\n"
           "Message-ID: <" + mid + ">\n"
           "X-Mailer: PHPMailer 6.9.3 (https://github.com/PHPMailer/PHPMailer)\n"
           "MIME-Version: 1.0\n"
           "Content-Type: text/html; charset=UTF-8\n"
           "Content-Transfer-Encoding: quoted-printable\n"
           "\n" + qp(htm) + "\n")
    return crlf(msg), person("Chloé", said, mid)


@fixture("26-k9-subject-in-body.eml")
def f26():
    mid = "8D5E1F3A-2B6C-4A97-B0E8-C1D4F7A29E65@example.org"
    said = "Merci pour cette belle journée #capcomnet, on revient l’an prochain avec toute l’équipe !"
    b = "----QW7XK2B9Z1R4Y8F3N6P0D5L2TSJ1VH"
    htm = '<!DOCTYPE html><html><head></head><body><div dir="auto">' + said + '</div></body></html>'
    msg = (delivery("jj.dupont@example.org", "smtp.example.org (smtp.example.org [198.51.100.57])",
                    "3D1061C0BC2", "Cu5lS2T3bmk/HAAAm5Uw7w", "17:48:08") +
           "Date: Wed, 02 Dec 2026 17:48:05 +0100\n"
           'From: "Jean \\"JJ\\" Dupont" <jj.dupont@example.org>\n'
           "To: " + WALL + "\n"
           "Subject: Merci pour cette belle =?UTF-8?Q?journ=C3=A9e?= #capcomnet\n"
           "User-Agent: K-9 Mail for Android\n"
           "Message-ID: <" + mid + ">\n"
           "MIME-Version: 1.0\n"
           'Content-Type: multipart/alternative; boundary="' + b + '"\n'
           "Content-Transfer-Encoding: 7bit\n"
           "\n--" + b + "\n"
           "Content-Type: text/plain;\n charset=utf-8\n"
           "Content-Transfer-Encoding: quoted-printable\n\n" + qp(said) + "\n"
           "--" + b + "\n"
           "Content-Type: text/html;\n charset=utf-8\n"
           "Content-Transfer-Encoding: quoted-printable\n\n" + qp(htm) + "\n"
           "--" + b + "--\n")
    return crlf(msg), person('Jean "JJ" Dupont', said, mid)


@fixture("27-roundcube-bare-address.eml")
def f27():
    mid = "3b9e1f0c2a7d4e58b6c1f0a2d9e8b7c6@example.net"
    subject = "Objet trouvé ? #capcomnet"
    said = ("Bonjour,\n\nEst-ce que quelqu’un a trouvé un parapluie noir dans la salle Jean Moulin après "
            "la plénière ? Je l’ai oublié sous le siège F12. Merci !")
    msg = (delivery("r.fontaine@example.net", "webmail.example.net (webmail.example.net [198.51.100.90])",
                    "4E2171C0BD3", "Dv6mT3U4bmk/HAAAm5Uw7w", "12:04:34") +
           "MIME-Version: 1.0\n"
           "Date: Wed, 02 Dec 2026 12:04:31 +0100\n"
           "From: r.fontaine@example.net\n"
           "To: " + WALL + "\n"
           "Subject: " + ew_q(subject, "UTF-8", "utf-8") + "\n"
           "Message-ID: <" + mid + ">\n"
           "X-Sender: r.fontaine@example.net\n"
           "User-Agent: Roundcube Webmail/1.6.9\n"
           "Auto-Submitted: no\n"
           "Content-Type: text/plain; charset=UTF-8;\n format=flowed\n"
           "Content-Transfer-Encoding: 8bit\n"
           "\n" + flow(said + "\n", 72) + "\n")
    return crlf(msg, "utf-8"), person("E-mail", subject + "\n" + said, mid)


@fixture("28-mailx-comment-from.eml")
def f28():
    mid = "20261202153100.2F7C1A0E44@labo.univ-exemple.example"
    subject = "En direct de Montreal #capcomnet"
    said = "Je suis l’intervention à distance depuis Montréal : le son est parfait. Bravo à la régie !"
    msg = (delivery("lea.dupre@labo.univ-exemple.example", "labo.univ-exemple.example "
                    "(labo.univ-exemple.example [203.0.113.201])", "5F3281C0BE4", "Ew7nU4V5bmk/HAAAm5Uw7w",
                    "16:31:04") +
           "Received: by labo.univ-exemple.example (Postfix, from userid 1001)\n"
           "\tid 2F7C1A0E44; Wed,  2 Dec 2026 10:31:00 -0500 (EST)\n"
           "To: " + WALL + "\n"
           "Subject: " + subject + "\n"
           "Content-Type: text/plain; charset=utf-8\n"
           "Message-Id: <" + mid + ">\n"
           "Date: Wed,  2 Dec 2026 10:31:00 -0500 (EST)\n"
           "From: lea.dupre@labo.univ-exemple.example (" + ew_q("Léa Dupré", "utf-8", "utf-8") + ")\n"
           "\n" + said + "\n")
    return crlf(msg, "utf-8"), person("Léa Dupré", subject + "\n" + said, mid)


@fixture("29-curl-no-message-id.eml")
def f29():
    said = "Notre équipe présente son prototype à 15h en salle B. Venez nombreux !"
    msg = (delivery("karim@devcorp.example", "smtp.devcorp.example (smtp.devcorp.example [192.0.2.205])",
                    "6A43911C0BF5", "Fx8oV5W6bmk/HAAAm5Uw7w", "10:50:03") +
           "Received: from [192.0.2.77] (unknown [192.0.2.77])\n"
           "\t(Authenticated sender: karim@devcorp.example)\n"
           "\tby smtp.devcorp.example (Postfix) with ESMTPSA id 7A1B2C3D4E\n"
           "\tfor <" + WALL + ">; Wed,  2 Dec 2026 10:50:01 +0100 (CET)\n"
           "From: \"Karim Bensaid\" <karim@devcorp.example>\n"
           "To: " + WALL + "\n"
           "Subject: Hackathon #capcomnet\n"
           "Date: 2 Dec 2026 10:50:00 +0100\n"
           "MIME-Version: 1.0\n"
           "Content-Type: text/plain; charset=utf-8\n"
           "\n" + said + "\n")
    return crlf(msg, "utf-8"), person("Karim Bensaid", "Hackathon #capcomnet\n" + said, None)


@fixture("30-php-mail-malformed.eml")
def f30():
    mid = "20261202095210.6B2E3F4A1C@web1.asso-exemple.example"
    subject = "Vidéos de la plénière #capcomnet"
    said = ("Bonjour,\nSuper conférence ! Les vidéos de la plénière seront-elles mises en ligne ?\n"
            "Merci,\nSophie")
    top = crlf(delivery("www-data@web1.asso-exemple.example", "web1.asso-exemple.example "
                        "(web1.asso-exemple.example [203.0.113.99])", "7B54A1C0C06", "Gy9pW6X7bmk/HAAAm5Uw7w",
                        "10:52:12") +
               "Received: by web1.asso-exemple.example (Postfix, from userid 33)\n"
               "\tid 6B2E3F4A1C; Wed,  2 Dec 2026 10:52:10 +0100 (CET)\n"
               "To: " + WALL + "\n")
    # PHP script: raw UTF-8 subject, its own headers joined with "\n" only, no MIME-Version, a 2-digit
    # year, a boundary parameter with a stray ";", a "7bit" part holding UTF-8 bytes, no closing boundary.
    php = ("Subject: " + subject + "\r\n"
           "X-PHP-Originating-Script: 33:contact.php\r\n"
           "From: Sophie Martin <no-reply@asso-exemple.example>\n"
           "Reply-To: sophie.martin@example.net\n"
           "Date: Wed, 02 Dec 26 09:52:10 GMT\n"
           "Content-Type: multipart/alternative; boundary=\"PHP-alt-5f3a9c1e\";\n"
           "Message-Id: <" + mid + ">\r\n"
           "\r\n"
           "This is a multi-part message in MIME format.\n"
           "--PHP-alt-5f3a9c1e\r\n"
           "Content-Type: text/plain; charset=\"utf-8\"\r\n"
           "Content-Transfer-Encoding: 7bit\r\n"
           "\r\n" + said.replace("\n", "\r\n") + "\r\n"
           "--\r\n"
           "Message envoyé depuis le formulaire de contact de asso-exemple.example\r\n"
           "\r\n"
           "--PHP-alt-5f3a9c1e\r\n"
           "Content-Type: text/html; charset=\"utf-8\"\r\n"
           "Content-Transfer-Encoding: 7bit\r\n"
           "\r\n"
           "<p>Bonjour,<br>Super conférence ! Les vidéos de la plénière seront-elles mises en ligne ?<br>"
           "Merci,<br>Sophie</p><p>--<br>Message envoyé depuis le formulaire de contact de asso-exemple.example</p>\r\n")
    return top + php.encode("utf-8"), person("Sophie Martin", subject + "\n" + said, mid)


# --- Automatic mail: must be ignored --------------------------------------------------------------

@fixture("31-outlook-auto-reply.eml")
def f31():
    server = "PR3P195MB0712.EURP195.PROD.OUTLOOK.COM"
    mid = "PR3P195MB07125A9E1B3C7D2F4E6A8C0B91D3E@" + server
    text = ("Bonjour,\n\nJe suis absent jusqu’au lundi 7 décembre inclus, avec un accès limité à mes e-mails. "
            "Pour toute question urgente concernant #capcomnet, contactez le service communication au "
            "01 99 00 12 35.\n\nCordialement,\nMarc Lefèvre\n")
    htm = ('<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n</head>\n<body>\n'
           '<div>' + text.replace("\n", "<br>\n") + '</div>\n</body>\n</html>\n')
    b = "_000_PR3P195MB07125A9E1B3C7D2F4E6A8C0B91D3EPR3P195MB0712EURP_"
    msg = (delivery("marc.lefevre@ville-exemple.example",
                    "EUR02-VI1-obe.outbound.protection.outlook.com (mail-vi1eur02on2130.outbound.protection.outlook.com "
                    "[40.107.241.130])", "8C65B1C0C17", "Hz0qX7Y8bmk/HAAAm5Uw7w", "09:42:05") +
           exchange_online("31", "ville-exemple.example", "2026-12-02 08:42:03 +0000", "") +
           "From: " + ew_q("Marc Lefèvre", "utf-8", "utf-8") + " <marc.lefevre@ville-exemple.example>\n"
           "To: Organisation CapComNet <" + WALL + ">\n"
           "Subject: " + ew_q("Réponse automatique : #capcomnet programme de jeudi", "utf-8", "utf-8") + "\n"
           "Thread-Topic: #capcomnet programme de jeudi\n"
           "Thread-Index: AQHbbyo8Xnp+tRtvgLUbb4DxX1e2Q7SWbpAd\n"
           "Date: Wed, 2 Dec 2026 08:42:03 +0000\n"
           "Message-ID: <" + mid + ">\n"
           "References: <" + ORG_ID + ">\n"
           "In-Reply-To: <" + ORG_ID + ">\n"
           "Content-Language: fr-FR\n"
           "X-MS-Has-Attach:\n"
           "X-Auto-Response-Suppress: All\n"
           "X-MS-Exchange-Inbox-Rules-Loop: marc.lefevre@ville-exemple.example\n"
           "X-MS-TNEF-Correlator:\n"
           "x-ms-exchange-parent-message-id: <" + ORG_ID + ">\n"
           "auto-submitted: auto-generated\n"
           "x-ms-exchange-generated-message-source: Mailbox Rules Agent\n"
           "Content-Type: multipart/alternative;\n"
           '\tboundary="' + b + '"\n'
           "MIME-Version: 1.0\n"
           "\n--" + b + "\n"
           'Content-Type: text/plain; charset="utf-8"\n'
           "Content-Transfer-Encoding: base64\n\n" + b64text(text) + "\n\n"
           "--" + b + "\n"
           'Content-Type: text/html; charset="utf-8"\n'
           "Content-Transfer-Encoding: base64\n\n" + b64text(htm) + "\n\n"
           "--" + b + "--\n")
    return crlf(msg), IGNORED


@fixture("32-gmail-vacation-reply.eml")
def f32():
    mid = "CAKz1M9Tq4+Wv7Rn2Xe5Jb8Lh0YdG3sF6cA1uP_kQiN9oEm2Zrw@mail.gmail.com"
    text = ("Merci pour votre message ! Je suis sur #capcomnet toute la semaine et je vous réponds dès mon "
            "retour le 7 décembre.\n\nLéa\n")
    b = "000000000000f3d6a70620c20b14"
    msg = (delivery("lea.dupre@example.org", "mail-wm1-f41.google.com (mail-wm1-f41.google.com [209.85.128.41])",
                    "9D76C1C0C28", "Ia1rY8Z9bmk/HAAAm5Uw7w", "09:41:58") +
           google_block("32", "example.org", "2026-12-02 09:41:57 +0100", GMAIL_H_REPLY) +
           "MIME-Version: 1.0\n"
           "References: <" + ORG_ID + ">\n"
           "In-Reply-To: <" + ORG_ID + ">\n"
           "Auto-Submitted: auto-replied\n"
           "Precedence: bulk\n"
           "X-Autoreply: yes\n"
           "From: " + ew_b("Léa Dupré") + " <lea.dupre@example.org>\n"
           "Date: Wed, 2 Dec 2026 09:41:57 +0100\n"
           "Message-ID: <" + mid + ">\n"
           "Subject: " + ew_b("Absente jusqu’au 7 décembre") + "\n"
           "To: " + WALL + "\n"
           'Content-Type: multipart/alternative; boundary="' + b + '"\n' +
           gmail_body(b, text, gmail_html(text.rstrip("\n").split("\n")) + "\n"))
    return crlf(msg), IGNORED


@fixture("33-newsletter-bulk.eml")
def f33():
    mid = "0102019d3a7f5c21-8e4b6a2d-1f93-4c7e-b058-2d6e9f1a3c47-000000@lettre-numerique.example"
    text = ("J-2 avant #capcomnet !\n\nAu programme : 12 ateliers, 3 tables rondes et le mur des participants "
            "en direct.\nInscriptions : https://capcomnet.example/inscription\n\n"
            "Vous recevez cette lettre car vous êtes inscrit à La Lettre du Numérique Public.\n"
            "Se désinscrire : https://lettre-numerique.example/u?id=8f2c1b\n")
    htm = ('<!DOCTYPE html><html><head><meta charset="utf-8"><title>La Lettre</title></head><body>'
           '<table width="100%" cellpadding="0" cellspacing="0"><tr><td><h1>J-2 avant #capcomnet&nbsp;!</h1>'
           '<p>Au programme&nbsp;: 12 ateliers, 3 tables rondes et le mur des participants en direct.</p>'
           '<p><a href="https://capcomnet.example/inscription">Je m\'inscris</a></p>'
           '<p style="font-size:11px">Vous recevez cette lettre car vous êtes inscrit à La Lettre du Numérique Public. '
           '<a href="https://lettre-numerique.example/u?id=8f2c1b">Se désinscrire</a></p>'
           '<img src="https://lettre-numerique.example/o/8f2c1b.gif" width="1" height="1" alt=""></td></tr></table>'
           '</body></html>')
    b = "b1_Qm7RcK2xTzL0vWnP9sYhJ4dF6aE3gUo8iB5tN"
    msg = (delivery("bounce-8f2c1b@lettre-numerique.example", "o1.lettre-numerique.example "
                    "(o1.lettre-numerique.example [192.0.2.222])", "AE87D1C0C39", "Jb2sZ9a0bmk/HAAAm5Uw7w",
                    "08:00:04") +
           "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=lettre-numerique.example;\n"
           "\ts=s1; t=%d; h=From:To:Subject:List-Unsubscribe:List-Unsubscribe-Post:Date:Message-ID;\n"
           "\tbh=%s=;\n\tb=%s\n" % (epoch("2026-12-02 08:00:01 +0100"), fake_b64("33bh", 43),
                                  fold_b(fake_b64("33b", 342) + "==", 60, 72, "\t ")) +
           "From: " + ew_q("La Lettre du Numérique Public", "UTF-8", "utf-8") + " <lettre@lettre-numerique.example>\n"
           "To: " + WALL + "\n"
           "Subject: J-2 avant #capcomnet : le programme complet\n"
           "Date: Wed, 02 Dec 2026 07:00:01 +0000\n"
           "Message-ID: <" + mid + ">\n"
           "MIME-Version: 1.0\n"
           "List-Unsubscribe: <https://lettre-numerique.example/u?id=8f2c1b&e=mur%40capcomnet.example>,\n"
           " <mailto:unsubscribe-8f2c1b@lettre-numerique.example>\n"
           "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
           "Precedence: bulk\n"
           "X-Mailer: Lettre-Mailer 4.2\n"
           'Content-Type: multipart/alternative; boundary="' + b + '"\n'
           "\n--" + b + "\n"
           "Content-Type: text/plain; charset=utf-8\n"
           "Content-Transfer-Encoding: quoted-printable\n\n" + qp(text) + "\n"
           "--" + b + "\n"
           "Content-Type: text/html; charset=utf-8\n"
           "Content-Transfer-Encoding: quoted-printable\n\n" + qp(htm) + "\n"
           "--" + b + "--\n")
    return crlf(msg), IGNORED


@fixture("34-postfix-bounce.eml")
def f34():
    qid = "8E1F21C0B3A"
    b = "%s.%d/mx1.capcomnet.example" % (qid, epoch("2026-12-02 11:15:03 +0100"))
    dove, post = _dates("11:15:03")
    original = ("Return-Path: <mur@capcomnet.example>\n"
                "Received: from [192.0.2.10] (unknown [192.0.2.10])\n"
                "\tby mx1.capcomnet.example (Postfix) with ESMTPSA id 3C4D51C0B12\n"
                "\tfor <inconnu@example.com>; Wed,  2 Dec 2026 11:15:01 +0100 (CET)\n"
                "Message-ID: <" + ORG_ID + ">\n"
                "Date: Wed, 2 Dec 2026 09:41:00 +0100\n"
                "MIME-Version: 1.0\n"
                "From: Organisation CapComNet <mur@capcomnet.example>\n"
                "To: inconnu@example.com\n"
                "Subject: #capcomnet programme de jeudi\n"
                "Content-Type: text/plain; charset=UTF-8; format=flowed\n"
                "Content-Transfer-Encoding: 8bit\n\n" + ORG_FR + "\n")
    msg = ("Return-Path: <>\n"
           "Delivered-To: " + WALL + "\n"
           "Received: from mx1.capcomnet.example\n"
           "\tby imap.capcomnet.example with LMTP\n"
           "\tid Kc3tA0b1bmk/HAAAm5Uw7w\n"
           "\tfor <" + WALL + ">; " + dove + "\n"
           "Received: by mx1.capcomnet.example (Postfix)\n"
           "\tid " + qid + "; " + post + "\n"
           "Date: " + post + "\n"
           "From: MAILER-DAEMON@mx1.capcomnet.example (Mail Delivery System)\n"
           "Subject: Undelivered Mail Returned to Sender\n"
           "To: " + WALL + "\n"
           "Auto-Submitted: auto-replied\n"
           "MIME-Version: 1.0\n"
           "Content-Type: multipart/report; report-type=delivery-status;\n"
           '\tboundary="' + b + '"\n'
           "Content-Transfer-Encoding: 8bit\n"
           "Message-Id: <20261202101503." + qid + "@mx1.capcomnet.example>\n"
           "\nThis is a MIME-encapsulated message.\n\n"
           "--" + b + "\n"
           "Content-Description: Notification\n"
           "Content-Type: text/plain; charset=utf-8\n"
           "Content-Transfer-Encoding: 8bit\n\n"
           "This is the mail system at host mx1.capcomnet.example.\n\n"
           "I'm sorry to have to inform you that your message could not\n"
           "be delivered to one or more recipients. It's attached below.\n\n"
           "For further assistance, please send mail to postmaster.\n\n"
           "If you do so, please include this problem report. You can\n"
           "delete your own text from the attached returned message.\n\n"
           "                   The mail system\n\n"
           "<inconnu@example.com>: host mx.example.com[192.0.2.25] said: 550 5.1.1\n"
           "    <inconnu@example.com>: Recipient address rejected: User unknown in virtual\n"
           "    mailbox table (in reply to RCPT TO command)\n\n"
           "--" + b + "\n"
           "Content-Description: Delivery report\n"
           "Content-Type: message/delivery-status\n\n"
           "Reporting-MTA: dns; mx1.capcomnet.example\n"
           "X-Postfix-Queue-ID: 3C4D51C0B12\n"
           "X-Postfix-Sender: rfc822; mur@capcomnet.example\n"
           "Arrival-Date: Wed,  2 Dec 2026 11:15:01 +0100 (CET)\n\n"
           "Final-Recipient: rfc822; inconnu@example.com\n"
           "Original-Recipient: rfc822;inconnu@example.com\n"
           "Action: failed\n"
           "Status: 5.1.1\n"
           "Remote-MTA: dns; mx.example.com\n"
           "Diagnostic-Code: smtp; 550 5.1.1 <inconnu@example.com>: Recipient address\n"
           "    rejected: User unknown in virtual mailbox table\n\n"
           "--" + b + "\n"
           "Content-Description: Undelivered Message\n"
           "Content-Type: message/rfc822\n"
           "Content-Transfer-Encoding: 8bit\n\n" + original + "\n"
           "--" + b + "--\n")
    return crlf(msg, "utf-8"), IGNORED


@fixture("35-mdn-read-receipt.eml")
def f35():
    mid = "5b0c8e2f-3a1d-4f79-9e46-c2d7a8b1f053@example.org"
    b = "------------9Dk3Lq7Xz1Vb5Nm2Pw8Rt4Ys"
    human = ("Ceci est un accusé de réception pour le courrier que vous avez envoyé à "
             "<hugo.lefebvre@example.org>.\n\n"
             "Note : cet accusé de réception indique seulement que le message a été affiché sur l’ordinateur "
             "du destinataire. Il n’y a aucune garantie que le destinataire ait lu ou compris le contenu du "
             "message.\n")
    msg = (delivery("hugo.lefebvre@example.org", "smtp.example.org (smtp.example.org [198.51.100.57])",
                    "BF98E1C0C4A", "Ld4uB1c2bmk/HAAAm5Uw7w", "10:20:13") +
           "Message-ID: <" + mid + ">\n"
           "Date: Wed, 2 Dec 2026 10:20:10 +0100\n"
           "MIME-Version: 1.0\n"
           "From: Hugo Lefebvre <hugo.lefebvre@example.org>\n"
           "User-Agent: Mozilla Thunderbird\n"
           "To: " + WALL + "\n"
           "Subject: " + ew_q("Accusé de réception (affiché) - #capcomnet programme de jeudi", "UTF-8", "utf-8") + "\n"
           "Content-Type: multipart/report; report-type=disposition-notification;\n"
           ' boundary="' + b + '"\n'
           "\nThis is a multi-part message in MIME format.\n"
           "--" + b + "\n"
           "Content-Type: text/plain; charset=UTF-8\n"
           "Content-Transfer-Encoding: 8bit\n\n" + human + "\n"
           "--" + b + "\n"
           'Content-Type: message/disposition-notification; name="MDNPart2.txt"\n'
           "Content-Disposition: inline\n"
           "Content-Transfer-Encoding: 7bit\n\n"
           "Reporting-UA: example.org; Mozilla Thunderbird\n"
           "Final-Recipient: rfc822;hugo.lefebvre@example.org\n"
           "Original-Message-ID: <" + ORG_ID + ">\n"
           "Disposition: manual-action/MDN-sent-manually; displayed\n\n"
           "--" + b + "\n"
           'Content-Type: text/rfc822-headers; name="MDNPart3.txt"\n'
           "Content-Transfer-Encoding: 7bit\n"
           "Content-Disposition: inline\n\n"
           "Return-Path: <mur@capcomnet.example>\n"
           "Message-ID: <" + ORG_ID + ">\n"
           "Date: Wed, 2 Dec 2026 09:41:00 +0100\n"
           "From: Organisation CapComNet <mur@capcomnet.example>\n"
           "Disposition-Notification-To: Organisation CapComNet <mur@capcomnet.example>\n"
           "To: hugo.lefebvre@example.org\n"
           "Subject: #capcomnet programme de jeudi\n\n"
           "--" + b + "--\n")
    return crlf(msg, "utf-8"), IGNORED


# ----------------------------------------------------------------------------------------------
# Writing and checking
# ----------------------------------------------------------------------------------------------

def write_all():
    expected = []
    for name, fn in FIXTURES:
        data, exp = fn()
        with open(os.path.join(HERE, name), "wb") as f:
            f.write(data)
        expected.append(dict({"file": name}, **exp))
    with open(os.path.join(HERE, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, indent=2)
        f.write("\n")


# A small independent reading of each fixture, used only to catch mistakes in the expectations:
# it decodes headers and bodies with Python's email package and checks that each expected value
# really is in the message (the trimming of quotes/signatures is the hand-written part).

WHATWG = {"iso-8859-1": "cp1252", "latin1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252",
          "utf8": "utf-8", "iso-8859-15": "iso-8859-15"}


def codec_for(label):
    label = (label or "us-ascii").strip().strip('"').lower()
    label = WHATWG.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return "utf-8"


def decode_words(value):
    """RFC 2047 with same-charset neighbours joined as bytes (email.header.decode_header does that)."""
    out = []
    for chunk, cs in decode_header(value):
        if isinstance(chunk, bytes):
            out.append(chunk.decode(codec_for(cs) if cs else "ascii", "replace"))
        else:
            out.append(chunk)
    return "".join(out)


def raw_header(data, name):
    head = re.split(rb"\r?\n\r?\n", data, 1)[0].decode("utf-8", "surrogateescape")
    head = re.sub(r"\r?\n[ \t]", " ", head)
    for line in re.split(r"\r?\n", head):
        if line.lower().startswith(name.lower() + ":"):
            return line[len(name) + 1:].strip()
    return None


def author_of(data):
    frm = raw_header(data, "From")
    m = re.match(r'^(.*?)\s*<[^>]*>\s*$', frm)
    if m:
        name = m.group(1).strip()
        if name.startswith('"') and name.endswith('"'):
            name = re.sub(r'\\(.)', r'\1', name[1:-1])
        return decode_words(name) if name else "E-mail"
    m = re.match(r'^\S+@\S+\s*\((.*)\)\s*$', frm)
    if m:
        return decode_words(m.group(1))
    return "E-mail"


class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "title"):
            self.skip += 1
        if tag in ("br", "p", "div", "tr", "li", "h1"):
            self.out.append("\n")

    def handle_endtag(self, tag):
        if tag in ("script", "style", "title"):
            self.skip -= 1

    def handle_data(self, d):
        if not self.skip:
            self.out.append(d)


def unflow(text, delsp):
    out, buf = [], ""
    for line in text.split("\n"):
        if line.startswith(" "):
            line = line[1:]
        if line != "-- " and line.endswith(" "):
            buf += line[:-1] if delsp else line
            continue
        out.append(buf + line)
        buf = ""
    if buf:
        out.append(buf)
    return "\n".join(out)


def body_text(part):
    ctype = part.get_content_type()
    if part.is_multipart():
        kids = part.get_payload()
        if ctype == "multipart/alternative":
            kids = sorted(kids, key=lambda p: p.get_content_type() != "text/plain")
        for k in kids:
            t = body_text(k)
            if t is not None:
                return t
        return None
    if part.get_content_disposition() == "attachment" or part.get_content_maintype() != "text":
        return None
    raw = part.get_payload(decode=True)
    text = raw.decode(codec_for(part.get_param("charset")), "replace").replace("\r\n", "\n")
    if ctype == "text/html":
        p = Text()
        p.feed(text)
        return "".join(p.out)
    if (part.get_param("format") or "").lower() == "flowed":
        text = unflow(text, (part.get_param("delsp") or "").lower() == "yes")
    return text


def norm(s):
    return " ".join(s.replace(BOM, "").split())


def attachments_of(msg):
    n = 0
    for p in msg.walk():
        if p.is_multipart():
            continue
        if p.get_content_type() == "application/pgp-signature":
            continue  # the signature of multipart/signed is not something the person attached
        if p.get_content_disposition() == "attachment":
            n += 1
        elif p.get_content_maintype() not in ("text", "multipart") and p.get_content_disposition() == "inline" \
                and not p.get("Content-ID"):
            n += 1  # iPhone photos: inline in multipart/mixed, no Content-ID
    return n


AUTO_RULES = [
    ("Auto-Submitted", lambda v: v.strip().lower() != "no"),
    ("Precedence", lambda v: v.strip().lower() in ("bulk", "junk", "list")),
    ("X-Auto-Response-Suppress", lambda v: bool(re.search(r"\b(all|dr|autoreply|oof)\b", v, re.I))),
    ("X-Autoreply", lambda v: True), ("X-Autorespond", lambda v: True),
    ("List-Id", lambda v: True), ("List-Unsubscribe", lambda v: True), ("Feedback-ID", lambda v: True),
    ("Return-Path", lambda v: v.strip() == "<>"),
    ("Content-Type", lambda v: v.lower().startswith("multipart/report")),
    ("From", lambda v: bool(re.search(r"(mailer-daemon|postmaster)@", v, re.I))),
]


def auto_reasons(data):
    return [n for n, rule in AUTO_RULES if raw_header(data, n) is not None and rule(raw_header(data, n))]


def check():
    with open(os.path.join(HERE, "expected.json"), encoding="utf-8") as f:
        expected = json.load(f)
    names = sorted(n for n in os.listdir(HERE) if n.endswith(".eml"))
    problems = []
    assert [e["file"] for e in expected] == names, "expected.json is not in file order / incomplete"
    for exp in expected:
        name = exp["file"]
        with open(os.path.join(HERE, name), "rb") as f:
            data = f.read()
        bad = lambda why: problems.append("%s: %s" % (name, why))
        lone_lf = len(re.findall(rb"(?<!\r)\n", data))
        if lone_lf and not name.startswith("30-"):
            bad("%d bare LF line ends" % lone_lf)
        msg = message_from_bytes(data, policy=policy.default)
        defects = [(p.get_content_type(), type(d).__name__) for p in msg.walk() for d in p.defects]
        reasons = auto_reasons(data)
        if exp.get("ignored"):
            if not reasons:
                bad("ignored but carries no automatic-mail marker")
            print("%-40s ignored  markers=%s" % (name, ",".join(reasons)))
            continue
        if reasons:
            bad("person's message carries automatic markers %s" % reasons)
        if author_of(data) != exp["author"]:
            bad("author %r != %r" % (author_of(data), exp["author"]))
        mid = raw_header(data, "Message-ID")
        mid = mid.strip()[1:-1] if mid else None
        if mid != exp["messageID"]:
            bad("messageID %r != %r" % (mid, exp["messageID"]))
        if attachments_of(msg) != exp["attachments"]:
            bad("attachments %d != %d" % (attachments_of(msg), exp["attachments"]))
        subject = decode_words(raw_header(data, "Subject") or "")
        body = body_text(msg) or ""
        want, nb = norm(exp["text"]), norm(body)
        ns = norm(subject)
        rest = want
        if want.startswith(ns) and not nb.startswith(ns):
            rest = want[len(ns):].strip()
        if rest and not nb.startswith(rest):
            i = next((k for k in range(min(len(rest), len(nb))) if rest[k] != nb[k]), min(len(rest), len(nb)))
            bad("text differs at %d: expected %r / body %r" % (i, rest[i:i + 40], nb[i:i + 40]))
        after = nb[len(rest):len(rest) + 50] if rest else nb[:50]
        print("%-40s %-18s defects=%s\n    subject=%r\n    cut before: %r" % (
            name, exp["author"], defects or "-", subject, after))
    print()
    if problems:
        print("PROBLEMS:\n  " + "\n  ".join(problems))
        sys.exit(1)
    print("all %d fixtures check out" % len(expected))


if __name__ == "__main__":
    if "--check" not in sys.argv:
        write_all()
    check()
