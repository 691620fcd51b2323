import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { certificateLines, type CertificateData } from '../../shared/group/certificate';

/**
 * CERT-3: the certificate as an A4 PDF, made on the server with pdfkit. The standard PDF fonts
 * have no Greek, so the text is set in DejaVu Sans (Debian's fonts-dejavu-core; the Containerfile
 * installs it), embedded as a subset.
 */
export const CERT_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf';
export const CERT_FONT_BOLD = CERT_FONT.replace(/DejaVuSans\.ttf$/, 'DejaVuSans-Bold.ttf');

export function certificateFontAvailable(): boolean {
  return existsSync(CERT_FONT);
}

const MARGIN = 56;
const COLUMNS = [0.2, 0.14, 0.13, 0.15, 0.38];

export function certificatePdf(data: CertificateData): Promise<Buffer> {
  const lines = certificateLines(data);
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    info: { Title: lines.title, Producer: 'Balint Room', Creator: 'Balint Room' },
    lang: data.lang,
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const bold = existsSync(CERT_FONT_BOLD) ? CERT_FONT_BOLD : CERT_FONT;
  doc.registerFont('body', CERT_FONT);
  doc.registerFont('bold', bold);
  const width = doc.page.width - 2 * MARGIN;

  doc.font('bold').fontSize(18).text(lines.title, { align: 'left' });
  doc.moveDown(0.8);
  doc.font('body').fontSize(11).text(lines.intro, { width });
  doc.moveDown(0.8);

  const row = (cells: readonly string[], font: 'body' | 'bold') => {
    doc.font(font).fontSize(9.5);
    const y = doc.y;
    let x = MARGIN;
    let height = 0;
    cells.forEach((cell, i) => {
      const w = (COLUMNS[i] ?? 0.2) * width - 6;
      doc.text(cell, x, y, { width: w });
      height = Math.max(height, doc.y - y);
      x += (COLUMNS[i] ?? 0.2) * width;
    });
    doc.x = MARGIN;
    doc.y = y + height + 4;
    if (doc.y > doc.page.height - 3 * MARGIN) doc.addPage();
  };
  row(lines.head, 'bold');
  doc
    .moveTo(MARGIN, doc.y - 2)
    .lineTo(MARGIN + width, doc.y - 2)
    .stroke();
  for (const r of lines.rows) row(r, 'body');
  doc.moveDown(0.8);
  doc.font('bold').fontSize(11).text(lines.totals, MARGIN, doc.y, { width });
  doc.font('body').fontSize(9).text(lines.unit, { width });
  doc.moveDown(1);
  doc.font('bold').fontSize(11).text(lines.leadersTitle);
  doc.font('body').fontSize(10);
  for (const l of lines.leaders) doc.text(l, { width });
  doc.moveDown(2);
  doc.fontSize(11).text(lines.placeDate);
  doc.moveDown(3);
  const lineY = doc.y;
  doc
    .moveTo(MARGIN, lineY)
    .lineTo(MARGIN + width * 0.6, lineY)
    .stroke();
  doc.fontSize(9).text(lines.signature, MARGIN, lineY + 4);
  doc.end();
  return done;
}
