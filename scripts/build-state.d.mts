export declare const ROOT: string;
export declare const SERVER_ENTRY: string;
export declare function buildState(): 'missing' | 'stale' | 'current';
export declare function buildToolsInstalled(): boolean;
