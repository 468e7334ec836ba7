"""The cost of sealing personal data (issue 16): SM4 per field and per MB of attachment,
and what it adds where many sealed values are read or written at once.

.venv/bin/python bench/bench_crypto.py [--rows 5000]
DATABASE_URL=postgres://postgres@127.0.0.1:5432/huiyin .venv/bin/python bench/bench_crypto.py

- encrypt / decrypt one phone number (huiyin.crypto through OpenSSL's SM4-GCM);
- encrypt / decrypt 1 MB and 20 MB (HUIYIN_UPLOAD_MAX_BYTES) of attachment;
- the blind index of one number (HMAC-SM3);
- reading the phone and e-mail of N opinions: through the sealed fields (decrypting) and as
  the raw column (what reading cost before sealing);
- writing N proposers with a phone and an address (bulk_create, as the ledger import
  does) and without them.
"""

import argparse
import os
import secrets
import time

from harness import best_of, setup_django

os.environ.setdefault("HUIYIN_DATA_KEY", "b1:" + secrets.token_hex(16))
os.environ.setdefault("HUIYIN_AUDIT_KEY", secrets.token_hex(32))


def per_call(fn, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=5000)
    rows = parser.parse_args().rows
    engine = setup_django()

    from django.db import models
    from django.db.models.functions import Cast

    from cases.models import Proposer
    from huiyin import crypto
    from huiyin.sealed import phone_index

    print(f"database: {engine}, rows: {rows}")
    sealed = crypto.encrypt_text("13812341234")
    print(
        f"encrypt one phone      {per_call(lambda: crypto.encrypt_text('13812341234'), 20000) * 1e6:8.1f} µs"
    )
    print(
        f"decrypt one phone      {per_call(lambda: crypto.decrypt_text(sealed), 20000) * 1e6:8.1f} µs"
    )
    print(
        f"blind index one phone  {per_call(lambda: phone_index('138 1234 1234'), 20000) * 1e6:8.1f} µs"
    )
    for mb in (1, 20):
        data = secrets.token_bytes(mb * 1024 * 1024)
        blob = crypto.encrypt_bytes(data)
        enc = best_of(lambda data=data: crypto.encrypt_bytes(data), 3)
        dec = best_of(lambda blob=blob: crypto.decrypt_bytes(blob), 3)
        print(
            f"attachment {mb:2d} MB       encrypt {enc * 1000:7.1f} ms, decrypt {dec * 1000:7.1f} ms"
        )

    def write(with_data: bool) -> float:
        Proposer.objects.all().delete()
        extra = {"phone": "13812341234", "address": "幸福路88号7栋2单元501室"} if with_data else {}
        start = time.perf_counter()
        Proposer.objects.bulk_create(
            [Proposer(name=f"代表{i}", kind="deputy", **extra) for i in range(rows)],
            batch_size=1000,
        )
        return time.perf_counter() - start

    plain_write, sealed_write = write(False), write(True)
    print(
        f"bulk_create {rows} proposers: without contact {plain_write * 1000:.0f} ms, "
        f"with sealed phone+address {sealed_write * 1000:.0f} ms"
    )
    raw = {"p": Cast("phone", models.TextField()), "a": Cast("address", models.TextField())}
    read_sealed = best_of(lambda: list(Proposer.objects.values_list("phone", "address")), 5)
    read_raw = best_of(lambda: list(Proposer.objects.annotate(**raw).values_list("p", "a")), 5)
    print(
        f"read {rows} proposers' phone+address: decrypted {read_sealed * 1000:.0f} ms, "
        f"raw column {read_raw * 1000:.0f} ms "
        f"(+{(read_sealed - read_raw) / rows * 1e6:.1f} µs a row)"
    )


if __name__ == "__main__":
    main()
