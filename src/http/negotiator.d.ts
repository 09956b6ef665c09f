// The part of `negotiator` (the content negotiation Apollo Server itself uses) that media-status.ts needs.
declare module 'negotiator' {
  export default class Negotiator {
    constructor(request: { headers: Record<string, string | undefined> });
    mediaType(available?: string[]): string | undefined;
  }
}
