export declare function build(): Promise<void>;
/** The files under `root` that the source archive (/source.tar.gz) holds, relative to it. */
export function sourceFiles(root: string): string[];
