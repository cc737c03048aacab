#!/usr/bin/env python3
"""Writes N small messages, 60% of them replies, into a maildir's cur/.

    gen-threads.py DIR N

The corpus of ../shared/corpus/repro-concurrent-abort (the same seed, so
the first N messages are the same), in which a slow reader of libnotmuch
0.37 aborts when another process commits tags: 2,000 messages suffice.
"""
import email.utils
import random
import sys
import time

out, count = sys.argv[1], int(sys.argv[2])
r = random.Random(42)
people = [f"user{i}@campaign.example" for i in range(400)] + [
    f"contact{i}@example.org" for i in range(600)
]
words = (
    "campagne réunion budget meeting agenda presse note confidentiel programme invitation "
    "facture déplacement élection projet urgent"
).split()
t0 = time.mktime((2009, 1, 1, 0, 0, 0, 0, 0, 0))
t1 = time.mktime((2017, 5, 5, 0, 0, 0, 0, 0, 0))
recent = []
for i in range(count):
    mid = f"<m{i}@repro.example>"
    extra = ""
    if recent and r.random() < 0.6:
        parent = r.choice(recent[-2000:])
        subject = "Re: " + parent[1]
        refs = (parent[2] + " " + parent[0]).strip()[-900:]
        extra = f"In-Reply-To: {parent[0]}\nReferences: {refs}\n"
        root = parent[1]
    else:
        subject = root = " ".join(r.choice(words) for _ in range(4))
        refs = ""
    recent.append((mid, root, refs))
    body = "\n".join(" ".join(r.choice(words) for _ in range(12)) for _ in range(8))
    msg = (
        f"From: {r.choice(people)}\nTo: {r.choice(people)}\nSubject: {subject}\n"
        f"Date: {email.utils.formatdate(r.uniform(t0, t1))}\nMessage-ID: {mid}\n{extra}"
        "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
        f"Content-Transfer-Encoding: 8bit\n\n{body}\n"
    )
    with open(f"{out}/{i}.repro:2,S", "w", encoding="utf-8") as f:
        f.write(msg)
