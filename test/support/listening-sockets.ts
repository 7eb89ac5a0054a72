/**
 * The TCP sockets in LISTEN state on this machine (this network namespace), read from
 * /proc/net/tcp and /proc/net/tcp6, and the processes that hold them (through the socket inodes
 * under /proc/<pid>/fd). Linux only; reading another user's /proc/<pid>/fd needs root, so
 * sockets of processes we cannot read have no owner.
 */
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface ListeningSocket {
  /** Dotted IPv4 or full-form IPv6 (8 groups of 4 hex digits). */
  address: string;
  port: number;
  family: 4 | 6;
  inode: number;
}

const listenState = '0A';

/** 32-bit words in /proc/net/tcp are in host (little-endian) byte order. */
function wordBytes(hex: string): number[] {
  const bytes = [0, 2, 4, 6].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  return bytes.reverse();
}

/** Decodes `0100007F` (IPv4) or 32 hex digits (IPv6) as /proc/net/tcp{,6} print them. */
export function decodeProcAddress(hex: string): string {
  if (hex.length === 8) return wordBytes(hex).join('.');
  if (hex.length !== 32) throw new Error(`not a /proc/net/tcp address: ${hex}`);
  const bytes = [0, 8, 16, 24].flatMap((i) => wordBytes(hex.slice(i, i + 8)));
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16).padStart(4, '0'));
  return groups.join(':');
}

/** Parses the text of /proc/net/tcp or /proc/net/tcp6, keeping the LISTEN sockets. */
export function parseProcNetTcp(text: string, family: 4 | 6): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 10 || fields[3] !== listenState) continue;
    const [addressHex, portHex] = fields[1]!.split(':') as [string, string];
    out.push({ address: decodeProcAddress(addressHex), port: Number.parseInt(portHex, 16), family, inode: Number(fields[9]) });
  }
  return out;
}

/** Whether a listening address is reachable only from this machine: 127.0.0.0/8, ::1, ::ffff:127.x.x.x. */
export function isLoopback(address: string): boolean {
  if (address.startsWith('127.')) return true;
  if (address === '0000:0000:0000:0000:0000:0000:0000:0001') return true;
  return /^0000:0000:0000:0000:0000:ffff:7f[0-9a-f]{2}:[0-9a-f]{4}$/.test(address);
}

export async function listeningSockets(): Promise<ListeningSocket[]> {
  const read = (path: string) => readFile(path, 'utf8').catch(() => '');
  return [...parseProcNetTcp(await read('/proc/net/tcp'), 4), ...parseProcNetTcp(await read('/proc/net/tcp6'), 6)];
}

/** The socket inodes a process holds open. */
export async function socketInodes(pid: number): Promise<Set<number>> {
  const inodes = new Set<number>();
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  for (const fd of fds) {
    const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match) inodes.add(Number(match[1]));
  }
  return inodes;
}

/** `pids` and every live descendant of them (git children, shells kwokctl started, ...). */
export async function withDescendants(pids: Iterable<number>): Promise<Set<number>> {
  const parentOf = new Map<number, number>();
  for (const entry of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // The command name (field 2) may hold spaces and parentheses: fields resume after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (Number.isFinite(ppid)) parentOf.set(Number(entry), ppid);
  }
  const all = new Set(pids);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parentOf) {
      if (!all.has(pid) && all.has(ppid)) {
        all.add(pid);
        grew = true;
      }
    }
  }
  return all;
}

export interface OwnedSocket extends ListeningSocket {
  pid: number;
  /** /proc/<pid>/comm */
  command: string;
}

/** The LISTEN sockets held by `pids`, each with its owner. */
export async function listeningSocketsOf(pids: Iterable<number>): Promise<OwnedSocket[]> {
  const sockets = await listeningSockets();
  const out: OwnedSocket[] = [];
  for (const pid of pids) {
    const inodes = await socketInodes(pid);
    const command = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '?')).trim();
    for (const socket of sockets) if (inodes.has(socket.inode)) out.push({ ...socket, pid, command });
  }
  return out;
}
