import { useMemo } from 'react';
import QRCode from 'qrcode';

/** A QR code drawn as SVG from the library's module matrix (no canvas, no innerHTML). */
export function QrCode({ text, label, size = 320 }: { text: string; label: string; size?: number }) {
  const modules = useMemo(() => QRCode.create(text, { errorCorrectionLevel: 'M' }).modules, [text]);
  const quiet = 4;
  const n = modules.size + quiet * 2;
  let path = '';
  for (let r = 0; r < modules.size; r++) {
    for (let c = 0; c < modules.size; c++) {
      if (modules.get(r, c)) path += `M${c + quiet} ${r + quiet}h1v1h-1z`;
    }
  }
  return (
    <svg
      className="qr"
      role="img"
      aria-label={label}
      viewBox={`0 0 ${n} ${n}`}
      width={size}
      height={size}
      shapeRendering="crispEdges"
    >
      <rect width={n} height={n} fill="#fff" />
      <path d={path} fill="#000" />
    </svg>
  );
}
