#!/usr/bin/env python3
"""Writes the import benchmark's files: N generated employers as a semicolon CSV (Indonesian Excel's
form) and as an XLSX workbook with the same rows, plus the branch offices they name.

Python 3.11 standard library only; deterministic (same N → same bytes). scripts/bench runs it.

    python3 bench/import_employers.py OUT_DIR N RM_EMAIL
"""

from __future__ import annotations

import random
import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

HEADERS = ["NPP", "Nama Perusahaan", "NPWP", "Kantor Cabang", "Email RM", "Segmen", "Kepemilikan",
           "Alamat", "Kota", "Provinsi", "Skala", "Program", "Perkiraan Tenaga Kerja", "Status"]
WORDS = ["Maju", "Jaya", "Sejahtera", "Nusantara", "Abadi", "Mandiri", "Sentosa", "Makmur", "Karya",
         "Bersama", "Indah", "Perkasa", "Gemilang", "Utama", "Sinar", "Cahaya", "Bumi", "Tirta"]
KINDS = ["Logistik", "Konstruksi", "Manufaktur", "Tekstil", "Farmasi", "Energi", "Niaga", "Teknologi"]
CITIES = [("Jakarta Selatan", "DKI Jakarta"), ("Bekasi", "Jawa Barat"), ("Surabaya", "Jawa Timur"),
          ("Semarang", "Jawa Tengah"), ("Medan", "Sumatera Utara"), ("Makassar", "Sulawesi Selatan")]
BRANCHES = [f"KC-BNC-{i:02d}" for i in range(1, 21)]


def luhn(digits: str) -> int:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def rows(n: int, rm: str):
    rnd = random.Random(13)
    for i in range(n):
        npp = f"{70000000 + i:08d}"
        first8 = f"{10000000 + i:08d}"
        npwp = f"{first8}{luhn(first8)}{rnd.randrange(1000000):06d}"
        city, province = CITIES[i % len(CITIES)]
        name = f"PT {rnd.choice(WORDS)} {rnd.choice(WORDS)} {rnd.choice(KINDS)} {i}"
        workers = rnd.randrange(10, 20000)
        yield [npp, name, f"{npwp[0:2]}.{npwp[2:5]}.{npwp[5:8]}.{npwp[8]}-{npwp[9:12]}.{npwp[12:15]}",
               BRANCHES[i % len(BRANCHES)], rm, "Korporasi", "Swasta Nasional",
               f"Jl. {rnd.choice(WORDS)} No. {rnd.randrange(1, 300)}", city, province,
               ["Besar", "Menengah", "Kecil"][i % 3], "JKK, JKM, JHT, JP", f"{workers:,}".replace(",", "."),
               "Aktif"]


def col(n: int) -> str:
    s = ""
    n += 1
    while n:
        n, r = divmod(n - 1, 26)
        s = chr(65 + r) + s
    return s


def main() -> None:
    out, n, rm = Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    out.mkdir(parents=True, exist_ok=True)
    data = list(rows(n, rm))
    with open(out / "employers.csv", "w", encoding="utf-8", newline="") as f:
        for r in [HEADERS] + data:
            f.write(";".join(r) + "\r\n")
    with open(out / "branches.csv", "w", encoding="utf-8", newline="") as f:
        f.write("Kode Cabang;Nama Kantor\r\n")
        for b in BRANCHES:
            f.write(f"{b};Kantor Cabang {b}\r\n")
    sheet = ['<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>']
    for r, cells in enumerate([HEADERS] + data, start=1):
        sheet.append(f'<row r="{r}">')
        for c, v in enumerate(cells):
            sheet.append(f'<c r="{col(c)}{r}" t="inlineStr"><is><t>{escape(v)}</t></is></c>')
        sheet.append("</row>")
    sheet.append("</sheetData></worksheet>")
    parts = {
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Pemberi Kerja" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": "".join(sheet),
    }
    with zipfile.ZipFile(out / "employers.xlsx", "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text)


if __name__ == "__main__":
    main()
