// The "native" contender: what a page gets from the browser alone, off the main thread.
// createImageBitmap applies the EXIF orientation (imageOrientation 'from-image' is the default),
// OffscreenCanvas resizes and encodes.
// Message in:  { file: File | Blob, maxSide: number, quality: number }
// Message out: { bytes: Uint8Array, width, height }  or  { error: string }
self.onmessage = async ({ data: { file, maxSide, quality } }) => {
  try {
    const bitmap = await createImageBitmap(file);
    // Fit within maxSide keeping the aspect ratio, never upscale.
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d');
    // JPEG has no alpha: without this transparent pixels turn black, while vitrine, bic and
    // the SSIM reference all put them on white.
    ctx.fillStyle = 'white';
    ctx.fillRect(0, 0, width, height);
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, 0, 0, width, height);
    bitmap.close();
    const blob = await canvas.convertToBlob({ type: 'image/jpeg', quality });
    const bytes = new Uint8Array(await blob.arrayBuffer());
    self.postMessage({ bytes, width, height }, [bytes.buffer]);
  } catch (e) {
    self.postMessage({ error: String(e?.message ?? e) });
  }
};
