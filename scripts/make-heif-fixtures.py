#!/usr/bin/env python3
"""Makes the HEIC test files in fixtures/heif/ from photos of the corpus, with libheif (x265)
through pillow-heif, and a reference decode of each (libheif/libde265, as JPEG quality 92,
4:4:4): what the pipeline's own HEIC decoder (heifer) is compared with.

Not run by the tests: the files are committed. To make them again:
    python3 -m venv /tmp/heif && /tmp/heif/bin/pip install pillow-heif
    /tmp/heif/bin/python scripts/make-heif-fixtures.py
With `--bench DIR` it writes instead the benchmark's photo (`end2end/bench/heic.mjs`), too big
to commit: iphone-12mp.heic, 4032x3024 shown, made as an iPhone makes them (512 px tiles, turned
by `irot` with EXIF Orientation 6, Display P3), and its libheif decode in sRGB as
iphone-12mp.ref.png.

The files, each 800x600 as stored unless said (iPhone photos are grids of 512 px tiles, with
their rotation in `irot` and a Display P3 profile):
- plain.heic: one coded image.
- grid.heic: 512 px tiles (2x2, the right and bottom ones cut by the grid's size).
- rotated.heic: a grid whose EXIF says Orientation 6: libheif stores it as `irot` (and resets
  the EXIF tag), so the picture is stored 600x800 and shows 800x600.
- alpha.heic: the corpus cut-out with its transparency (an alpha plane).
- display-p3.heic: the photo converted to Display P3, the profile embedded (`colr` prof).
- iphone.heic: 1280x960 shown, as an iPhone stores a photo: 512 px tiles (2x3 as stored),
  turned by `irot` (EXIF Orientation 6), Display P3. The photo worker shares its decode.
"""
import io
import struct
import sys
from pathlib import Path

import pillow_heif
from PIL import Image, ImageCms

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "fixtures" / "corpus" / "photos"
OUT = ROOT / "fixtures" / "heif"
QUALITY = 60


def s15(x):
    return struct.pack(">i", round(x * 65536))


def display_p3_profile():
    """A matrix/TRC ICC v2 profile for Display P3 (P3 primaries, D65, the sRGB curve), D50
    adapted as ICC requires: the colorants below are Apple's published D50 values."""
    def xyz(x, y, z):
        return b"XYZ " + b"\0" * 4 + s15(x) + s15(y) + s15(z)

    # The sRGB transfer function as an ICC parametric curve would need v4; a v2 curve of 1024
    # points is exact enough.
    def curve():
        points = []
        for i in range(1024):
            v = i / 1023
            lin = v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4
            points.append(round(lin * 65535))
        return b"curv" + b"\0" * 4 + struct.pack(">I", len(points)) + struct.pack(">%dH" % len(points), *points)

    def text(s):
        return b"text" + b"\0" * 4 + s.encode() + b"\0"

    trc = curve()
    tags = [
        (b"desc", b"desc" + b"\0" * 4 + struct.pack(">I", 11) + b"Display P3\0" + b"\0" * 4 + b"\0" * 4 + b"\0" * 2 + b"\0" + b"\0" * 67),
        (b"cprt", text("No copyright, use freely")),
        (b"wtpt", xyz(0.96420, 1.0, 0.82491)),
        (b"rXYZ", xyz(0.515102, 0.241182, -0.001050)),
        (b"gXYZ", xyz(0.291965, 0.692236, 0.041882)),
        (b"bXYZ", xyz(0.157153, 0.066582, 0.784378)),
        (b"rTRC", trc),
        (b"gTRC", trc),
        (b"bTRC", trc),
    ]
    offset = 128 + 4 + 12 * len(tags)
    table, data = b"", b""
    for sig, body in tags:
        while (offset + len(data)) % 4:
            data += b"\0"
        table += sig + struct.pack(">II", offset + len(data), len(body))
        data += body
    size = offset + len(data)
    header = struct.pack(">I", size) + b"lcms" + struct.pack(">I", 0x02100000) + b"mntrRGB XYZ "
    header += struct.pack(">HHHHHH", 2026, 1, 1, 0, 0, 0) + b"acsp" + b"APPL" + struct.pack(">I", 0)
    header += b"\0" * 8 + struct.pack(">II", 0, 0) + struct.pack(">I", 0)
    header += s15(0.9642) + s15(1.0) + s15(0.8249) + b"lcms" + b"\0" * 44
    assert len(header) == 128, len(header)
    return header + struct.pack(">I", len(tags)) + table + data


def photo():
    img = Image.open(CORPUS / "Reconyx_HC500_Hyperfire.jpg").convert("RGB")
    return img.resize((800, 600), Image.LANCZOS)


def save(name, img, reference, out=OUT, ref_ext=".ref.jpg", **kwargs):
    pillow_heif.options.GRID_TILE_SIZE = kwargs.pop("tile", 0)
    heif = pillow_heif.from_pillow(img)
    heif.save(out / name, quality=kwargs.pop("quality", QUALITY), **kwargs)
    decoded = pillow_heif.open_heif(out / name, convert_hdr_to_8bit=True)
    ref = Image.frombytes(decoded.mode, decoded.size, bytes(decoded.data), "raw", decoded.mode, decoded.stride)
    if reference:
        target = out / name.replace(".heic", ref_ext)
        if ref_ext.endswith(".png"):
            reference(ref).save(target)
        else:
            reference(ref).save(target, quality=92, subsampling=0)
    print(name, (out / name).stat().st_size, "bytes, shows", ref.size, ref.mode)


def over_white(img):
    if img.mode != "RGBA":
        return img.convert("RGB")
    white = Image.new("RGBA", img.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, img).convert("RGB")


def to_p3(img):
    """`img` (sRGB) converted to Display P3, and a function taking a decode back to sRGB."""
    p3 = ImageCms.ImageCmsProfile(io.BytesIO(display_p3_profile()))
    srgb = ImageCms.createProfile("sRGB")
    in_p3 = ImageCms.profileToProfile(img, srgb, p3, outputMode="RGB")
    return in_p3, lambda ref: ImageCms.profileToProfile(ref.convert("RGB"), p3, srgb, outputMode="RGB")


def bench(out):
    out.mkdir(parents=True, exist_ok=True)
    phone = Image.open(CORPUS / "phone-24mp-orient6-gps.jpg")
    phone = phone.transpose(Image.ROTATE_270).convert("RGB").resize((4032, 3024), Image.LANCZOS)
    in_p3, back = to_p3(phone)
    exif = Image.Exif()
    exif[0x0112] = 6
    in_p3.info["exif"] = exif.tobytes()
    save("iphone-12mp.heic", in_p3, back, out=out, ref_ext=".ref.png", tile=512, quality=75,
         exif=exif.tobytes(), icc_profile=display_p3_profile())


def main():
    if len(sys.argv) == 3 and sys.argv[1] == "--bench":
        return bench(Path(sys.argv[2]))
    OUT.mkdir(parents=True, exist_ok=True)
    base = photo()
    save("plain.heic", base, over_white)
    save("grid.heic", base, over_white, tile=512)
    rotated = base.copy()
    exif = Image.Exif()
    exif[0x0112] = 6
    rotated.info["exif"] = exif.tobytes()
    save("rotated.heic", rotated, over_white, tile=512, exif=exif.tobytes())
    cutout = Image.open(CORPUS / "cutout-alpha.png").convert("RGBA")
    cutout.thumbnail((800, 800))
    save("alpha.heic", cutout, over_white)
    # Display P3: the pixels converted from sRGB, the profile embedded. The reference is the
    # libheif decode converted back to sRGB: what a colour-managed viewer shows.
    in_p3, back = to_p3(base)
    save("display-p3.heic", in_p3, back, icc_profile=display_p3_profile())
    phone = Image.open(CORPUS / "Reconyx_HC500_Hyperfire.jpg").convert("RGB")
    in_p3, back = to_p3(phone.resize((1280, 960), Image.LANCZOS))
    in_p3.info["exif"] = exif.tobytes()
    save("iphone.heic", in_p3, back, tile=512, exif=exif.tobytes(), icc_profile=display_p3_profile())


if __name__ == "__main__":
    main()
