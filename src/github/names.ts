/**
 * Strict owner/repo name rules. Names become filesystem paths under storageRoot, so anything
 * that could escape it (`..`, slashes, backslashes, NUL, leading dots) is refused up front.
 */
const ownerPattern = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/;
const repoPattern = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,99}$/;
/** A path segment under /pages: same spirit, no leading dot, no separators. */
const pageSegmentPattern = /^[A-Za-z0-9_+@-][A-Za-z0-9._+@-]{0,254}$/;

export function isValidOwner(owner: string): boolean {
  return ownerPattern.test(owner);
}

export function isValidRepoName(repo: string): boolean {
  return repoPattern.test(repo) && !repo.endsWith('.git') && !repo.includes('..');
}

export function isValidPageSegment(segment: string): boolean {
  return pageSegmentPattern.test(segment) && !segment.includes('..');
}

/** `name.git` → `name`; validates both parts; undefined when not a valid repository name. */
export function normalizeRepoSegment(segment: string): string | undefined {
  const name = segment.endsWith('.git') ? segment.slice(0, -4) : segment;
  return isValidRepoName(name) ? name : undefined;
}

export const ownerRule = 'owner names are 1-39 letters, digits or "-", starting with a letter or digit';
export const repoRule = 'repository names are 1-100 letters, digits, ".", "_" or "-", not starting with "." and not containing ".."';

export { globToRegExp } from '../util/glob.ts';
