// Reads and edits the uploader's journal (IndexedDB "vitrine-uploads", store "photos") from
// the test, as the page left it: what each photo has (its file, its variants, its ticket).
// The probes never create the database: the app would then find it without its store.
import { Page } from "@playwright/test";

export interface JournalRecord {
  id: string;
  name: string;
  hasFile: boolean;
  variants: number;
  ticket: boolean;
  sent: number;
}

export async function journal(page: Page): Promise<JournalRecord[]> {
  const records = await page.evaluate(
    () =>
      new Promise<{ id: string; progress: string; file: unknown; blobs: unknown[] }[]>((resolve, reject) => {
        const open = indexedDB.open("vitrine-uploads");
        open.onupgradeneeded = () => open.transaction!.abort();
        open.onerror = () => resolve([]);
        open.onsuccess = () => {
          const db = open.result;
          const all = db.transaction("photos").objectStore("photos").getAll();
          all.onsuccess = () => {
            db.close();
            resolve(all.result);
          };
          all.onerror = () => reject(all.error);
        };
      }),
  );
  return records.map((r) => {
    const p = JSON.parse(r.progress);
    return {
      id: r.id,
      name: p.name,
      hasFile: r.file !== null && r.file !== undefined,
      variants: r.blobs.length,
      ticket: p.ticket !== null,
      sent: p.ticket ? p.ticket.sent.length : 0,
    };
  });
}

/** Drops the kept file and variants of record `id`, as a browser that would not keep them (private
 * browsing, no room) leaves it. */
export async function dropBytes(page: Page, id: string) {
  await page.evaluate(
    (id) =>
      new Promise<void>((resolve, reject) => {
        const open = indexedDB.open("vitrine-uploads");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction("photos", "readwrite");
          const store = tx.objectStore("photos");
          const get = store.get(id);
          get.onsuccess = () => store.put({ ...get.result, file: null, blobs: [] });
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
      }),
    id,
  );
}
