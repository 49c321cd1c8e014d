package io.klio.storage.azure;

import com.azure.core.http.rest.PagedResponse;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.ListBlobsOptions;
import io.klio.storage.BlobInfo;
import io.klio.storage.BlobKey;
import io.klio.storage.BlobPage;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Listing in pages that continue after a key. Azure continues a listing with an opaque marker, not
 * after a key, so each page whose end is the end of a service page leaves its marker in a small
 * cache under (prefix, last key): a caller paging with {@code next} continues with one request per
 * page. A {@code startAfter} the cache does not know is sent as {@code startFrom} (service version
 * 2026-02-06; a server that ignores it, such as Azurite, makes the listing start at the prefix),
 * and the names up to it are skipped here, so the answer is right either way. Thread-safe.
 */
final class AzureListing {

  /** The service's largest page. */
  private static final int SERVICE_PAGE = 5_000;

  private static final int CACHED_MARKERS = 1_024;

  private final AzureStoreContext ctx;

  private final Map<String, String> markers =
      new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, String> eldest) {
          return size() > CACHED_MARKERS;
        }
      };

  AzureListing(AzureStoreContext ctx) {
    this.ctx = ctx;
  }

  BlobPage list(String prefix, Optional<BlobKey> startAfter, int maxKeys) throws IOException {
    String root = ctx.root();
    String namePrefix = root + prefix;
    String after = startAfter.map(k -> root + k.value()).orElse(null);
    String marker = after == null ? null : marker(namePrefix, after);
    boolean skipping = after != null && marker == null;
    List<BlobInfo> found = new ArrayList<>();
    boolean pageEndsAtServicePage = true;
    try {
      do {
        int want = skipping ? SERVICE_PAGE : Math.min(SERVICE_PAGE, maxKeys - found.size());
        ListBlobsOptions o = new ListBlobsOptions().setPrefix(namePrefix);
        if (skipping && marker == null) {
          o.setStartFrom(after);
        }
        PagedResponse<BlobItem> page =
            ctx.container().listBlobs(o, marker, null).iterableByPage(want).iterator().next();
        marker = page.getContinuationToken();
        Iterator<BlobItem> items = page.getValue().iterator();
        while (items.hasNext() && found.size() < maxKeys) {
          BlobItem item = items.next();
          if (after != null && item.getName().compareTo(after) <= 0) {
            continue;
          }
          skipping = false;
          toInfo(root, item).ifPresent(found::add);
        }
        pageEndsAtServicePage = !items.hasNext();
        if (!pageEndsAtServicePage) {
          break;
        }
      } while (marker != null && !marker.isEmpty() && found.size() < maxKeys);
    } catch (RuntimeException e) {
      throw ctx.errors().classify(e, "list '" + prefix + "'", null);
    }
    boolean more = !pageEndsAtServicePage || marker != null && !marker.isEmpty();
    if (found.isEmpty() || !more) {
      return new BlobPage(found, Optional.empty());
    }
    BlobKey last = found.get(found.size() - 1).key();
    if (pageEndsAtServicePage) {
      remember(namePrefix, root + last.value(), marker);
    }
    return new BlobPage(found, Optional.of(last));
  }

  /**
   * Objects whose names are not Klio keys (put there by another tool) are left out: the store only
   * shows what it could have written.
   */
  private static Optional<BlobInfo> toInfo(String root, BlobItem item) {
    String name = item.getName();
    if (!name.startsWith(root)) {
      return Optional.empty();
    }
    BlobKey key;
    try {
      key = BlobKey.of(name.substring(root.length()));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
    Long size = item.getProperties().getContentLength();
    Instant modified = item.getProperties().getLastModified().toInstant();
    return Optional.of(new BlobInfo(key, size == null ? 0 : size, modified));
  }

  private synchronized String marker(String prefix, String after) {
    return markers.get(prefix + '\n' + after);
  }

  private synchronized void remember(String prefix, String last, String marker) {
    markers.put(prefix + '\n' + last, marker);
  }
}
