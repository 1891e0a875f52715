import { randomUUID } from 'node:crypto';
import { Faker, base, en, en_GB } from '@faker-js/faker';
import { addDays } from 'date-fns';
import { REGIONS as ALL_REGIONS } from '../../../schemas/common.ts';

/** Changing this changes every seeded person: keep it fixed so demos and benchmarks are repeatable. */
const SEED = 20_260_401;
/** Mediator i is generated from the seed of its batch, so "the first N" are the same people on any run. */
export const FAKE_BATCH = 1000;
/** RFC 2606 reserves `.example`: no seeded address can ever receive mail, and seeded accounts are easy to tell apart. */
export const SEED_EMAIL_DOMAIN = 'seed.example';

/** The nine English regions (seeded people who work remotely get `national` separately). */
export const REGIONS = ALL_REGIONS.filter((r) => r !== 'national');

// Faker's en_GB has no given names of its own; these mix in the Welsh, Irish, Polish, South Asian,
// African and other names a real English register holds, with the accents and apostrophes that
// search and CSV handling must cope with.
const FIRST_NAMES = [
  'Siân',
  'Zoë',
  'Rhiannon',
  'Dafydd',
  'Gwenllian',
  'Siobhán',
  'Aoife',
  'Seán',
  'Niamh',
  'Ciarán',
  'Chloë',
  'Renée',
  'Anaïs',
  'José',
  'Małgorzata',
  'Bartłomiej',
  'Zoltán',
  'Ayşe',
  'Oluwaseun',
  'Chidi',
  'Priya',
  'Aarav',
  'Mohammed',
  'Fatima',
  'Ayesha',
  'Hamza',
  'Amara',
  'Nkechi',
  'Ioana',
  'Andrei',
  'Léa',
  'Jürgen',
  'Saoirse',
  'Eilidh',
  'Hafsa',
];
const LAST_NAMES = [
  "O'Neill",
  "O'Brien",
  "O'Connor",
  'Ó Briain',
  'Ní Bhriain',
  "D'Souza",
  'MacDonald',
  'McAllister',
  'ap Rhys',
  'Lewis-Jones',
  'Davies',
  'Williams',
  'Evans',
  'Kowalski',
  'Wiśniewska',
  'Nowak',
  'Öztürk',
  'Yılmaz',
  'Müller',
  'Ahmed',
  'Begum',
  'Khan',
  'Patel',
  'Okonkwo',
  'Adeyemi',
  'Popescu',
  'Ionescu',
  'Núñez',
  'García',
  'Łukasiewicz',
];
const TOWNS = [
  'Leeds',
  'Sheffield',
  'Bristol',
  'Manchester',
  'Liverpool',
  'Newcastle',
  'Sunderland',
  'Durham',
  'York',
  'Hull',
  'Bradford',
  'Nottingham',
  'Derby',
  'Leicester',
  'Lincoln',
  'Birmingham',
  'Coventry',
  'Wolverhampton',
  'Stoke',
  'Norwich',
  'Ipswich',
  'Cambridge',
  'Peterborough',
  'Chelmsford',
  'Luton',
  'Croydon',
  'Hackney',
  'Lewisham',
  'Brighton',
  'Reading',
  'Oxford',
  'Southampton',
  'Portsmouth',
  'Canterbury',
  'Guildford',
  'Exeter',
  'Plymouth',
  'Truro',
  'Bath',
  'Gloucester',
  'Carlisle',
  'Preston',
  'Lancaster',
  'Cheshire',
  'Cumbria',
  'Kent',
  'Surrey',
];
const OTHER_LANGUAGES = ['cy', 'pl', 'ur', 'pa', 'bn', 'ar', 'so', 'ro', 'gu', 'bfi', 'pt', 'tr', 'ta', 'lt', 'fr', 'es'];
const INSURERS = ['Hiscox', 'QBE', 'Markel', 'Towergate', 'Zurich', 'Allianz'];

export type SeedStatus = 'accredited' | 'lapsed' | 'suspended';

export interface FakeMediator {
  index: number;
  user: { id: string; email: string; fullName: string };
  mediator: {
    id: string;
    userId: string;
    fullName: string;
    body: 'com' | 'cmc';
    membershipNumber: string;
    status: SeedStatus;
    route: 'standards_2024' | 'grandfathered_2018';
    standardsVersion: string;
    firstAccreditedOn: string;
    complianceStartOn: string;
    /** Grandfathered entries are seeded as imported on the grandfathering start. */
    importedOn: string | null;
    statusChangedAt: Date;
    organisation: string | null;
    regions: string[];
    languages: string[];
    contactEmail: string;
    contactPhone: string;
    website: string | null;
    showEmail: boolean;
    showPhone: boolean;
    showWebsite: boolean;
    insurer: string;
    insuranceCoverGbp: number;
    insuranceExpiresOn: string;
  };
}

export interface FakeContext {
  /** Today in London: nothing is dated after it. */
  today: string;
  /** Grandfathered members' first compliance period starts here (the register setting). */
  grandfatheredComplianceStart: string;
}

/** Name pools drawn once: faker's name patterns cost ~25 µs a call, too slow for 100,000 people. */
interface Pools {
  first: string[];
  last: string[];
  companies: string[];
}
let pools: Pools | undefined;
function namePools(): Pools {
  if (pools) return pools;
  const faker = new Faker({ locale: [en_GB, en, base] });
  faker.seed(SEED);
  const draw = (n: number, fn: () => string) => Array.from({ length: n }, fn);
  return (pools = {
    first: draw(3000, () => faker.person.firstName()),
    last: draw(3000, () => faker.person.lastName()),
    companies: draw(1000, () => faker.company.name()),
  });
}

const ymd = (d: Date) => d.toISOString().slice(0, 10);
/** `Siân O'Neill` → `sian`, `oneill`: for addresses. Memoised, as names repeat from small pools. */
const asciiCache = new Map<string, string>();
function ascii(s: string): string {
  let a = asciiCache.get(s);
  if (a === undefined) {
    a = s
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .replace(/ł/g, 'l')
      .replace(/ı/g, 'i')
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '');
    asciiCache.set(s, a);
  }
  return a;
}

/** The mediators numbered [from, to), each the same person whichever run creates them. */
export function fakeMediators(from: number, to: number, ctx: FakeContext): FakeMediator[] {
  const out: FakeMediator[] = [];
  for (let batch = Math.floor(from / FAKE_BATCH); batch * FAKE_BATCH < to; batch++) {
    const faker = new Faker({ locale: [en_GB, en, base] });
    faker.seed([SEED, batch]);
    for (let i = batch * FAKE_BATCH; i < (batch + 1) * FAKE_BATCH; i++) {
      const m = fakeOne(faker, i, ctx);
      if (i >= from && i < to) out.push(m);
    }
  }
  return out;
}

function fakeOne(faker: Faker, index: number, ctx: FakeContext): FakeMediator {
  const { first: firstPool, last: lastPool, companies } = namePools();
  const today = new Date(`${ctx.today}T00:00:00Z`);
  const first = faker.helpers.arrayElement(faker.datatype.boolean(0.25) ? FIRST_NAMES : firstPool);
  const last = faker.helpers.arrayElement(faker.datatype.boolean(0.25) ? LAST_NAMES : lastPool);
  const fullName = `${first} ${last}`;
  const email = `${ascii(first)}.${ascii(last)}.${index}@${SEED_EMAIL_DOMAIN}`;
  const body = faker.datatype.boolean(0.6) ? 'com' : 'cmc';
  // Product assumption for demo data: most of the register is in good standing.
  const status = faker.helpers.weightedArrayElement<SeedStatus>([
    { weight: 88, value: 'accredited' },
    { weight: 8, value: 'lapsed' },
    { weight: 4, value: 'suspended' },
  ]);
  // Passported in 2018-19 (the Form 5 window), or accredited since under the 2024 standards.
  const grandfathered = faker.datatype.boolean(0.65);
  const firstAccredited = grandfathered ? faker.date.between({ from: '2018-06-01', to: '2019-09-30' }) : faker.date.between({ from: '2024-04-01', to: addDays(today, -30) });
  const regions = faker.datatype.boolean(0.1) ? ['national'] : faker.helpers.arrayElements([...REGIONS], { min: 1, max: 3 }).sort();
  const languages = ['en', ...(faker.datatype.boolean(0.2) ? faker.helpers.arrayElements(OTHER_LANGUAGES, { min: 1, max: 2 }) : [])];
  const organisation = faker.helpers.weightedArrayElement<string | null>([
    { weight: 3, value: `${faker.helpers.arrayElement(TOWNS)} Mediation Service` },
    { weight: 2, value: `${last} Mediation Ltd` },
    { weight: 2, value: faker.helpers.arrayElement(companies) },
    { weight: 3, value: null },
  ]);
  const website = organisation && faker.datatype.boolean(0.6) ? `https://www.${ascii(organisation).slice(0, 30)}.example` : null;
  const userId = randomUUID();
  return {
    index,
    user: { id: userId, email, fullName },
    mediator: {
      id: randomUUID(),
      userId,
      fullName,
      body,
      membershipNumber: `${body === 'com' ? 'COM' : 'CMC'}-${String(100_000 + index)}`,
      status,
      route: grandfathered ? 'grandfathered_2018' : 'standards_2024',
      standardsVersion: grandfathered ? '2018' : '2024',
      firstAccreditedOn: ymd(firstAccredited),
      complianceStartOn: grandfathered ? ctx.grandfatheredComplianceStart : ymd(firstAccredited),
      importedOn: grandfathered ? ctx.grandfatheredComplianceStart : null,
      statusChangedAt: status === 'accredited' ? firstAccredited : faker.date.between({ from: '2025-06-01', to: today }),
      organisation,
      regions,
      languages,
      contactEmail: email,
      contactPhone: faker.phone.number(),
      website,
      showEmail: faker.datatype.boolean(0.6),
      showPhone: faker.datatype.boolean(0.4),
      showWebsite: website !== null && faker.datatype.boolean(0.8),
      insurer: faker.helpers.arrayElement(INSURERS),
      insuranceCoverGbp: faker.helpers.arrayElement([1_000_000, 2_000_000, 5_000_000]),
      insuranceExpiresOn: ymd(addDays(today, faker.number.int({ min: 14, max: 365 }))),
    },
  };
}
