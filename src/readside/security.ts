import { secureHeaders } from "hono/secure-headers";

/**
 * Restrictive headers for every page: nothing but same-origin styles and images, no scripts at
 * all, no framing, no forms, no base-uri tricks. The docs page (openapi/) uses the same.
 */
export const pageSecurity = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'none'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'none'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: "DENY",
  permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [], usb: [] },
});

/** Badges are embedded by other sites: cross-origin readable, and inert as documents. */
export const badgeSecurity = secureHeaders({
  contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
  crossOriginResourcePolicy: "cross-origin",
  crossOriginOpenerPolicy: false,
  xFrameOptions: "DENY",
});
