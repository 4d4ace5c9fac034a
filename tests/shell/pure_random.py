#!/usr/bin/env python3
"""Random differential test of the pure utilities (src/shell/sh_pure.c).

For each utility family, random argv + stdin cases (from small alphabets,
harmless text only) run through the real program -- bash for the echo and
printf builtins, coreutils, sed, mawk, xxd -- and through agentvisor's model
(`test_pure --run ARGV...`). Output and exit status must be identical
unless the model says UNKNOWN (exit 200 + code), which is allowed and
counted. A fixed seed keeps runs reproducible; pass --seed/--count to
explore more.

Usage: pure_random.py TEST_PURE_BINARY [--seed N] [--count N]
"""
import argparse
import random
import subprocess
import sys


def rnd(alpha, lo, hi):
    return ''.join(random.choice(alpha) for _ in range(random.randint(lo, hi)))


def gen(which):
    if which == 'sed':
        re_atoms = ['a','b','.','*','\\+','\\(a\\)','[ab]','^','$','x','\\?','\\|','\\1']
        rep_atoms = ['X','&','\\1','\\n','-','\\&']
        cmd = random.choice(['s','s','s','y','d','p','q','='])
        addr = random.choice(['', '', '1', '2', '$', '/a/', '1,2', '2,$', '/b/,/a/', '2!'])
        if cmd == 's':
            c = 's/' + ''.join(random.choice(re_atoms) for _ in range(random.randint(1,4))) + '/' + ''.join(random.choice(rep_atoms) for _ in range(random.randint(0,3))) + '/' + random.choice(['','g','p','2','gp','2g','I'])
        elif cmd == 'y': c = 'y/ab/ba/'
        else: c = cmd
        args = ['sed'] + (['-n'] if random.random() < .3 else []) + (['-E'] if random.random() < .2 else []) + [addr + c]
        stdin = rnd('ab\nxa', 0, 12)
        return args, stdin
    if which == 'printf':
        fmt = ''.join(random.choice(['%s','%d','%5s','%-3d','%x','%b','%q','%c','\\n','\\t','a',' ','%%','%.2s','%05d','\\101','%*d','%i','%o','%u','%#x']) for _ in range(random.randint(1,4)))
        args = ['printf', fmt] + [random.choice(['1','-5','abc','0x1f','010',"'A",'','a b','\\n','12x','x\\cy','\\0101','ab&c','~x']) for _ in range(random.randint(0,4))]
        return args, ''
    if which == 'echo':
        args = ['echo'] + [random.choice(['-n','-e','-E','-neE','--','-x','a\\tb','\\c','x\\101','\\0101','\\x4a','\\u41','-','a','\\\\','\\e']) for _ in range(random.randint(0,4))]
        return args, ''
    if which == 'tr':
        sets = ['a-c','abc','[:upper:]','[:lower:]','[:digit:]','x','\\n','a-z','xyz','[:space:]','c-a','[=a=]','ab-']
        opts = random.choice([[],['-d'],['-s'],['-c'],['-cd'],['-ds'],['-t'],['-cs']])
        args = ['tr'] + opts + [random.choice(sets) for _ in range(random.randint(1,2))]
        return args, rnd('abcxyzABC1 \n', 0, 15)
    if which == 'cut':
        args = ['cut', random.choice(['-f','-c','-b']) + random.choice(['1','2','1,3','2-','-2','1-2,4','3-1','0'])] + random.choice([[],['-d:'],['-d',','],['-s','-d:'],['--complement'],['--output-delimiter=|']])
        return args, rnd('ab:c,d\n', 0, 15)
    if which == 'ht':
        args = [random.choice(['head','tail']), random.choice(['-n','-c']), random.choice(['0','1','2','5','-1','-3','+1','+2','+0'])]
        return args, rnd('ab\n', 0, 12)
    if which == 'b64':
        args = [random.choice(['base64','base32'])] + random.choice([[],['-d'],['-di'],['-w','3'],['-w0']])
        return args, rnd('MFRGGYWJj=\n =!aGVsbG8', 0, 14)
    if which == 'xxd':
        args = ['xxd'] + random.choice([['-r','-p'],['-p'],[],['-ps'],['-u']])
        return args, rnd('0123456789abcdefgz :\n\r\t', 0, 20)
    if which == 'awk':
        prog = '{print ' + ', '.join(random.choice(['$1','$2','$NF','$0','NF','NR','"x"','$3 $1']) for _ in range(random.randint(1,3))) + '}'
        args = ['awk'] + random.choice([[],['-F:'],['-F,']]) + [prog]
        return args, rnd('ab :,c\n', 0, 15)
    if which == 'misc':
        k = random.choice(['basename','dirname','seq','sort','uniq','wc','tac','rev','cat','b64enc','xxddump','fold','od'])
        if k == 'fold': return ['fold'] + random.choice([['-w1'],['-w','3'],['-5'],['-b','-w2']]), rnd('ab c\n', 0, 15)
        if k == 'od': return ['od'] + random.choice([['-An','-tx1'],['-c'],['-b'],['-tx1'],['-v','-tx1'],['-Ax','-tu1'],['-Ad','-td1'],['-An','-c']]), ''.join(chr(random.randint(0,127)) for _ in range(random.randint(0,40)))
        if k == 'basename': return ['basename'] + random.choice([[],['-a'],['-s','.c']]) + [rnd('a/.c', 0, 6) for _ in range(random.randint(1,3))], ''
        if k == 'dirname': return ['dirname'] + [rnd('a/.', 0, 6) for _ in range(random.randint(1,2))], ''
        if k == 'seq': return ['seq'] + random.choice([[],['-s',','],['-s','']]) + [random.choice(['1','3','-2','0','10','-5','2']) for _ in range(random.randint(1,3))], ''
        if k == 'sort': return ['sort'] + random.choice([[],['-r'],['-u'],['-ru']]), rnd('ab1\n', 0, 15)
        if k == 'uniq': return ['uniq'] + random.choice([[],['-c'],['-d'],['-u'],['-cd']]), rnd('ab\n', 0, 15)
        if k == 'wc': return ['wc'] + random.choice([[],['-l'],['-w'],['-c'],['-lw'],['-wc']]), rnd('ab \n\t', 0, 15)
        if k == 'tac': return ['tac'], rnd('ab\n', 0, 10)
        if k == 'rev': return ['rev'], rnd('abc\n', 0, 10)
        if k == 'cat': return ['cat'] + random.choice([[],['-'],['-','-'],['-u']]), rnd('abc\n', 0, 10)
        if k == 'b64enc': return [random.choice(['base64','base32'])] + random.choice([[],['-w','5'],['-w0'],['--wrap=7']]), ''.join(chr(random.randint(0,255)) for _ in range(random.randint(0,20))).encode('latin1').decode('latin1')
        if k == 'xxddump': return ['xxd'] + random.choice([[],['-p'],['-u']]), ''.join(chr(random.randint(0,127)) for _ in range(random.randint(0,40)))
    if which == 'expr':
        toks = ['1','2','-3','0','a','','+','-','*','/','%','<','=','!=','|','&','(',')','length','substr','index','abc']
        return ['expr'] + [random.choice(toks) for _ in range(random.randint(1,5))], ''


FAMILIES = ['sed', 'printf', 'echo', 'tr', 'cut', 'ht', 'b64', 'xxd', 'awk', 'expr', 'misc']


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('binary')
    ap.add_argument('--seed', type=int, default=1)
    ap.add_argument('--count', type=int, default=30)
    args = ap.parse_args()
    random.seed(args.seed)
    total_bad = 0
    for which in FAMILIES:
        bad = unknown = 0
        for _ in range(args.count):
            argv, stdin = gen(which)
            real = argv if argv[0] not in ('printf', 'echo') else ['bash', '-c', '"$@"', '_'] + argv
            data = stdin.encode('latin1', 'replace')
            r = subprocess.run(real, input=data, capture_output=True)
            o = subprocess.run([args.binary, '--run'] + argv, input=data, capture_output=True)
            if o.returncode >= 200:
                unknown += 1
                continue
            if r.stdout != o.stdout or r.returncode != o.returncode:
                bad += 1
                if bad <= 5:
                    print('DIFFER', argv, repr(stdin))
                    print('  real', r.returncode, r.stdout[:200])
                    print('  ours', o.returncode, o.stdout[:200])
        print(f'{which:7} {args.count} cases, {unknown} not modelled, {bad} differ')
        total_bad += bad
    return 1 if total_bad else 0


if __name__ == '__main__':
    sys.exit(main())
