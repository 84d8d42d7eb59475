import { chooseExpiry } from '../../../src/domain/expiry';

const expiries = ['2025-11-25', '2025-11-18', '2025-12-02', '2025-11-18', '2025-11-11'];

describe('chooseExpiry', () => {
  it('takes the nearest expiry on or after today, whatever the listing order', () => {
    expect(chooseExpiry(expiries, '2025-11-13', 'NEXT_WEEK')).toBe('2025-11-18');
    expect(chooseExpiry(expiries, '2025-11-13', 'SAME_DAY')).toBe('2025-11-18');
  });

  it('on expiry day keeps it for SAME_DAY and rolls to the next for NEXT_WEEK', () => {
    expect(chooseExpiry(expiries, '2025-11-18', 'SAME_DAY')).toBe('2025-11-18');
    expect(chooseExpiry(expiries, '2025-11-18', 'NEXT_WEEK')).toBe('2025-11-25');
  });

  it('is undefined when nothing is left to trade', () => {
    expect(chooseExpiry(expiries, '2025-12-03', 'SAME_DAY')).toBeUndefined();
    expect(chooseExpiry(['2025-12-02'], '2025-12-02', 'NEXT_WEEK')).toBeUndefined();
    expect(chooseExpiry([], '2025-12-02', 'SAME_DAY')).toBeUndefined();
  });
});
