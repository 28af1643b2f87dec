// Types of client-address.mjs (plain JavaScript so server.mjs runs it without a build step).
export declare const CLIENT_ADDRESS_HEADER: 'x-paddock-client-address';
export declare function trustedHops(env?: Record<string, string | undefined>): number;
export declare function clientAddress(peer: string | undefined, forwardedFor: string | string[] | undefined, hops?: number): string | undefined;
