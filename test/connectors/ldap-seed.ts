import { baseLdif, suffix } from '../helpers/slapd.ts';

/** People with distinct, past change times (slapadd keeps them), so watermarks are deterministic. */
export const people = [
  {
    uid: 'ada',
    cn: 'Ada Lovelace',
    sn: 'Lovelace',
    employeeNumber: 'E1',
    mail: ['ada@example.test', 'countess@example.test'],
  },
  { uid: 'grace', cn: 'Grace Hopper', sn: 'Hopper', employeeNumber: 'E2', mail: ['grace@example.test'] },
  { uid: 'alan', cn: 'Alan Turing', sn: 'Turing', employeeNumber: 'E3', mail: [] },
  // A real employee whose name is an injection attempt: it must only ever match itself.
  { uid: 'mallory', cn: '*)(uid=*', sn: 'Mallory', employeeNumber: 'E4', mail: [] },
];

export const guid = Buffer.from('00112233445566778899aabbccddeeff', 'hex');

export function seedLdif(): string {
  const entries = people.map((p, i) =>
    [
      `dn: uid=${p.uid},ou=people,${suffix}`,
      'objectClass: inetOrgPerson',
      'objectClass: adLikeAccount',
      `uid: ${p.uid}`,
      // LDIF needs base64 for a value starting with a special character such as `*`.
      `cn:: ${Buffer.from(p.cn).toString('base64')}`,
      `sn: ${p.sn}`,
      `employeeNumber: ${p.employeeNumber}`,
      ...p.mail.map((m) => `mail: ${m}`),
      'userAccountControl: 512',
      ...(p.uid === 'ada' ? [`objectGUID:: ${guid.toString('base64')}`] : []),
      `modifyTimestamp: 2025010100000${i}Z`,
      `createTimestamp: 2025010100000${i}Z`,
    ].join('\n'),
  );
  return `${baseLdif}\n${entries.join('\n\n')}\n`;
}
