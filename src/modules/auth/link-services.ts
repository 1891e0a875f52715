import type { ModuleDeps, SharedServices } from '../module.ts';
import { createClaimService } from './claim-service.ts';
import { createPasswordResetService } from './password-reset-service.ts';
import { createRegistrationService } from './registration-service.ts';

/** The services behind the emailed links (verify, reset, claim): the API's and the account pages'. */
export function createLinkServices({ db, clock, config, counters, publicUrl }: ModuleDeps & Pick<SharedServices, 'counters' | 'publicUrl'>) {
  return {
    registration: createRegistrationService({ db, clock, publicUrl, ttlHours: config.VERIFICATION_TTL_HOURS, counters }),
    passwordReset: createPasswordResetService({ db, clock, publicUrl, counters }),
    claims: createClaimService({ db, clock }),
  };
}
