// Glance v2 (image endpoint, "/image"): read-only images from the seed.
import type { SimContext } from "./context";
import { ApiError, ok, Router } from "./http";
import { rfc3339 } from "./time";
import type { ImageRecord, SimState } from "./types";

function imageView(state: SimState, i: ImageRecord): Record<string, unknown> {
  return {
    id: i.id,
    name: i.name,
    status: "active",
    visibility: "public",
    container_format: "bare",
    disk_format: i.diskFormat,
    min_disk: i.minDisk,
    min_ram: i.minRam,
    size: i.size,
    virtual_size: null,
    checksum: "",
    owner: state.project.id,
    protected: false,
    os_hidden: false,
    tags: [],
    created_at: rfc3339(i.createdAt),
    updated_at: rfc3339(i.createdAt),
    file: `/v2/images/${i.id}/file`,
    self: `/v2/images/${i.id}`,
    schema: "/v2/schemas/image",
    // Extra properties must be strings: gophercloud folds unknown keys into `properties`.
    ...i.properties,
  };
}

export function glanceRouter(ctx: SimContext): Router {
  const st = (): SimState => ctx.store.state;
  const r = new Router();
  r.on("GET", "/", (req) =>
    ok(
      {
        versions: [
          { id: "v2.9", status: "CURRENT", links: [{ rel: "self", href: `${req.baseUrl}/image/v2/` }] },
        ],
      },
      300,
    ),
  );
  r.on("GET", "/v2/images", (req) => {
    const q = req.query;
    const images = st().images.filter((i) => {
      const name = q.get("name");
      const status = q.get("status");
      const visibility = q.get("visibility");
      const id = q.get("id");
      return (
        (!name || i.name === name) &&
        (!id || i.id === id) &&
        (!status || status === "active") &&
        (!visibility || visibility === "public" || visibility === "all")
      );
    });
    // No `next` link: gophercloud would keep paging while one is present.
    return ok({
      images: images.map((i) => imageView(st(), i)),
      schema: "/v2/schemas/images",
      first: "/v2/images",
    });
  });
  r.on("GET", "/v2/images/:id", (_q, p) => {
    const i = st().images.find((x) => x.id === p.id);
    if (!i) throw ApiError.notFound(`No image found with ID ${p.id}`);
    // Glance returns the image object bare, without a wrapper key.
    return ok(imageView(st(), i));
  });
  return r;
}
