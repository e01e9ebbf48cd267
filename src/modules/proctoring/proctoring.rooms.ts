/**
 * The rooms of the `/proctoring` namespace (docs/proctoring.md). Only the server joins sockets to them. Beside the
 * contract's four, `attempt:{id}:watcher:{peer}` (a staff peer watching one attempt) is what a candidate's `signal` is
 * sent to, so a relay reaches a staff peer only while it watches that attempt, on whatever instance it is;
 * `tenant:{id}:candidates` and `superadmin:staff` serve the live list and the tenant-wide pushes.
 */
export const rooms = {
  tenantStaff: (tenantId: string) => `tenant:${tenantId}:staff`,
  tenantCandidates: (tenantId: string) => `tenant:${tenantId}:candidates`,
  superadmins: 'superadmin:staff',
  watchers: (attemptId: string) => `attempt:${attemptId}:watchers`,
  watcher: (attemptId: string, peerId: string) => `attempt:${attemptId}:watcher:${peerId}`,
  candidates: (attemptId: string) => `attempt:${attemptId}:candidates`,
  peer: (peerId: string) => `peer:${peerId}`,
};
