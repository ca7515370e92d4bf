// The Module Loader package as Sugar receives it: built by `npm run package`, unzipped and checked file by file.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import vm from 'node:vm';
import { unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ALLOWED_EXTENSIONS, buildPackage, extensionAllowed, manifestCopies, PackageError, stampManifest } from '../../scripts/package.js';
import { scanPhp } from '../../scripts/package-scan.js';
import { php, phpEval } from '../../scripts/sugar-harness/php-bridge.js';
import { CONTROLLERS } from '../../sidecar-ui/bundle.mjs';
import { post2015Syntax } from './es2015.js';

const pkgVersion = JSON.parse(readFileSync('package.json', 'utf8')).version as string;
let dir: string;
let zipPath: string;
let files: Record<string, Uint8Array>;
let evaluated: {
  manifest: Record<string, any>;
  installdefs: {
    id: string;
    copy: Array<{ from: string; to: string }>;
    post_execute: string[];
    post_uninstall: string[];
    custom_fields: Array<Record<string, unknown>>;
  };
};

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'leadfwd-pkg-'));
  const built = await buildPackage({ outDir: dir, now: new Date('2026-05-20T10:11:12Z') });
  zipPath = built.zipPath;
  expect(built.phpChecked).toBe(true);
  files = unzipSync(readFileSync(zipPath));
  for (const [name, data] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, 'x', name)), { recursive: true });
    writeFileSync(join(dir, 'x', name), data);
  }
  evaluated = await phpEval(join(dir, 'x', 'manifest.php'), "array('manifest' => $manifest, 'installdefs' => $installdefs)");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run package', () => {
  it('names the zip after package.json and puts manifest.php at its root', () => {
    expect(zipPath.endsWith(`leadfwd-sugar-${pkgVersion}.zip`)).toBe(true);
    expect(Object.keys(files)).toContain('manifest.php');
    if (existsSync('/usr/bin/unzip')) expect(execFileSync('unzip', ['-tq', zipPath]).toString()).toMatch(/No errors/);
  });

  it('holds exactly manifest.php, the files installdefs copies, each copied under custom/, and the install scripts', () => {
    const copied = evaluated.installdefs.copy.map((c) => c.from.replace(/^<basepath>\//, ''));
    const scripts = [...new Set([...evaluated.installdefs.post_execute, ...evaluated.installdefs.post_uninstall])].map((f) => f.replace(/^<basepath>\//, ''));
    expect(scripts).toEqual(['scripts/rebuild_caches.php']);
    expect(Object.keys(files).sort()).toEqual(['manifest.php', ...copied, ...scripts].sort());
    for (const c of evaluated.installdefs.copy) {
      expect(c.from).toMatch(/^<basepath>\/Files\/custom\//);
      expect(c.to).toBe(c.from.replace('<basepath>/Files/', ''));
      expect(c.to).not.toContain('..');
    }
    // Every generated controller and the global script are part of it.
    for (const spec of CONTROLLERS) expect(copied).toContain(`Files/${spec.out}`);
    expect(copied).toContain('Files/custom/include/javascript/leadfwd/leadfwd-buttons.js');
  });

  it('uses only file types Module Loader accepts', () => {
    const refused = Object.keys(files).filter((f) => !extensionAllowed(f));
    expect(refused).toEqual([]);
    expect(extensionAllowed('a/b.json')).toBe(false);
    expect(extensionAllowed('a/b.js.map')).toBe(false);
    expect(extensionAllowed('a/icon.svg')).toBe(false);
    expect(extensionAllowed('a/x.ts')).toBe(false);
    expect(extensionAllowed('README.md')).toBe(false);
    expect(extensionAllowed('LICENSE')).toBe(true);
    expect(ALLOWED_EXTENSIONS).toContain('hbs');
  });

  it('evaluates manifest.php under PHP to the expected arrays', () => {
    const m = evaluated.manifest;
    expect(m).toMatchObject({ key: 'leadfwd', type: 'module', is_uninstallable: true, version: pkgVersion, published_date: '2026-05-20 10:11:12' });
    expect(m.acceptable_sugar_flavors).toBeUndefined();
    expect(evaluated.installdefs.id).toBe('leadfwd');
  });

  it('creates the fields the service writes (score, time zone) as custom fields uninstall removes', () => {
    const fields = evaluated.installdefs.custom_fields;
    expect(fields.map((f) => `${f.module}.${f.name}:${f.type}`).sort()).toEqual([
      'Accounts.leadfwd_score_c:int',
      'Contacts.leadfwd_score_c:int',
      'Contacts.leadfwd_timezone_c:varchar',
      'Leads.leadfwd_score_c:int',
      'Leads.leadfwd_timezone_c:varchar',
      'Prospects.leadfwd_score_c:int',
      'Prospects.leadfwd_timezone_c:varchar',
    ]);
    for (const f of fields) {
      expect(String(f.name)).toMatch(/_c$/); // uninstall finds custom fields by the _c suffix
      expect(f).toMatchObject({ label: expect.stringMatching(/^LBL_LEADFWD_/), reportable: true, require_option: false });
    }
    // remove_tables is not set to false: uninstalling drops the fields (or asks, when the admin is prompted).
    expect(evaluated.manifest.remove_tables).toBeUndefined();
  });

  it('accepts Sugar 8 to 15 and the year-numbered 25.x and 26.x, as Module Loader applies the regexes', async () => {
    const versions = ['8.0.0', '9.0.3', '12.0.0', '13.2.0', '14.2.0', '15.0.1', '25.1.0', '25.2.0', '26.1.0', '7.11.2', '16.0.0', '6.5.0'];
    const code = `include ${JSON.stringify(join(dir, 'x', 'manifest.php'))}; $o = array(); foreach (${JSON.stringify(versions).replace(/^\[/, 'array(').replace(/\]$/, ')')} as $v) { $ok = in_array($v, $manifest['acceptable_sugar_versions']['exact_matches']); foreach ($manifest['acceptable_sugar_versions']['regex_matches'] as $re) { if (preg_match("/$re/", $v)) { $ok = true; } } $o[$v] = $ok; } echo json_encode($o);`;
    const r = await php(['-r', code]);
    expect(JSON.parse(r.stdout)).toEqual({
      '8.0.0': true,
      '9.0.3': true,
      '12.0.0': true,
      '13.2.0': true,
      '14.2.0': true,
      '15.0.1': true,
      '25.1.0': true,
      '25.2.0': true,
      '26.1.0': true,
      '7.11.2': false,
      '16.0.0': false,
      '6.5.0': false,
    });
  });

  it('ships PHP that passes php -l and the scanner (no banned functions, classes, backticks or variable calls)', async () => {
    const phpFiles = Object.keys(files).filter((f) => f.endsWith('.php'));
    expect(phpFiles.length).toBeGreaterThan(10);
    for (const f of phpFiles) {
      const lint = await php(['-l', join(dir, 'x', f)]);
      expect(lint.code, `${f}: ${lint.stdout}`).toBe(0);
      expect(await scanPhp(join(dir, 'x', f)), f).toEqual([]);
    }
  });

  it('has no "<?" outside PHP files (Sugar would parse it as PHP)', () => {
    for (const [name, data] of Object.entries(files)) {
      if (!name.endsWith('.php')) expect(Buffer.from(data).includes('<?'), name).toBe(false);
    }
  });
});

describe('install and uninstall scripts', () => {
  /** Runs a script the way Module Loader does (require_once from Sugar's root), with a RepairAndClear that records. */
  async function runScript(rel: string) {
    const root = mkdtempSync(join(tmpdir(), 'leadfwd-sugar-root-'));
    mkdirSync(join(root, 'modules', 'Administration'), { recursive: true });
    writeFileSync(
      join(root, 'modules', 'Administration', 'QuickRepairAndRebuild.php'),
      `<?php
class RepairAndClear {
    public function repairAndClearAll($actions, $modules, $autoexecute = false, $show_output = true) {
        $GLOBALS['repairs'][] = array($actions, $modules, $autoexecute, $show_output);
    }
}
`,
    );
    const code = `error_reporting(E_ALL); set_error_handler(function ($n, $s) { fwrite(STDERR, $s); exit(3); });
      define('sugarEntry', true); function translate($l) { return $l === 'LBL_ALL_MODULES' ? 'All Modules' : $l; }
      chdir(${JSON.stringify(root)}); $GLOBALS['repairs'] = array(); ob_start(); require_once ${JSON.stringify(join(dir, 'x', rel))};
      $out = ob_get_clean(); echo json_encode(array('repairs' => $GLOBALS['repairs'], 'output' => $out));`;
    const r = await php(['-r', code]);
    rmSync(root, { recursive: true, force: true });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as { repairs: unknown[]; output: string };
  }

  it('rebuild the extensions and clear the JavaScript groups after install and after uninstall, printing nothing', async () => {
    for (const list of [evaluated.installdefs.post_execute, evaluated.installdefs.post_uninstall]) {
      expect(list).toHaveLength(1);
      const r = await runScript(list[0].replace('<basepath>/', ''));
      expect(r).toEqual({ repairs: [[['rebuildExtensions', 'clearAdditionalCaches'], ['All Modules'], false, false]], output: '' });
    }
  });

  it('refuse to run outside Sugar', async () => {
    const r = await php(['-r', `require ${JSON.stringify(join(dir, 'x', 'scripts/rebuild_caches.php'))};`]);
    expect(r.stdout).toBe('Not A Valid Entry Point');
  });
});

describe('the scanner itself', () => {
  it('finds what Module Loader refuses', async () => {
    const f = join(dir, 'bad.php');
    writeFileSync(
      f,
      '<?php\n$a = file_get_contents("x");\n$b = array_map("trim", $a);\n$c = `ls`;\n$d = "exec"; $d("id");\n$r = new ReflectionClass("X");\n$e = new ZipArchive();\n$z = $x->get(1);\n' +
        'class A { public function get($k) { return $k; } public function open() {} }\n$n = new $cls();\n$m = $o->$meth();\nerror_log("x"); is_file("y"); pathinfo("z");\nSugarAutoLoader::put("a");\n',
    );
    const found = await scanPhp(f);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/line 2: function file_get_contents/),
        expect.stringMatching(/line 3: function array_map/),
        expect.stringMatching(/line 4: backtick/),
        expect.stringMatching(/line 5: variable function call \$d/),
        expect.stringMatching(/line 6: class ReflectionClass/),
        expect.stringMatching(/line 7: class ZipArchive/),
        expect.stringMatching(/line 8: method get/),
        // Sugar 8.0 refuses a method DECLARED with a banned name (ML_INVALID_FUNCTION get()).
        expect.stringMatching(/line 9: function get\(\) declared/),
        expect.stringMatching(/line 9: function open\(\) declared/),
        expect.stringMatching(/line 10: class instantiated by variable/),
        expect.stringMatching(/line 11: variable method call/),
        expect.stringMatching(/line 12: function error_log/),
        expect.stringMatching(/line 12: function is_file/),
        expect.stringMatching(/line 12: function pathinfo/),
        expect.stringMatching(/line 13: method SugarAutoLoader::put/),
      ]),
    );
  });

  it('lets through what Sugar allows and the relay needs: cURL, hashing, random bytes, JSON, $_SERVER', async () => {
    const f = join(dir, 'good.php');
    writeFileSync(
      f,
      '<?php\n$ch = curl_init("https://x.example"); curl_setopt_array($ch, array(CURLOPT_RETURNTRANSFER => true)); $t = curl_exec($ch); $n = curl_errno($ch);\n' +
        '$h = hash_hmac("sha256", "a", "k"); $s = hash("sha256", ""); $r = bin2hex(random_bytes(16)); $ok = hash_equals($h, $s);\n' +
        '$j = json_encode(array("a" => time())); $u = parse_url("https://x"); $v = filter_var("https://x", FILTER_VALIDATE_URL); $m = $_SERVER["REQUEST_METHOD"];\n' +
        'class B { public function __construct() {} public function relay() { return $this->relay(); } public static function make() { return new self(); } }\n',
    );
    expect(await scanPhp(f)).toEqual([]);
  });
});

describe('controllers in the shape Sugar evaluates', () => {
  const sources = () => CONTROLLERS.map((c) => ({ spec: c, src: Buffer.from(files[`Files/${c.out}`]).toString('utf8') }));

  it('are one expression starting with "({" and ending with "})", ES2015 syntax, ASCII only', () => {
    for (const { spec, src } of sources()) {
      expect(src.startsWith('({'), spec.out).toBe(true);
      expect(src.trimEnd().endsWith('})'), spec.out).toBe(true);
      expect(post2015Syntax(src), spec.out).toEqual([]);
      expect(/^[\x09\x0a\x0d\x20-\x7e]*$/.test(src), `${spec.out} is not ASCII`).toBe(true);
    }
  });

  it('still evaluate after Sugar trims them, inserts its comment after the first "({", and inlines them', () => {
    for (const { spec, src } of sources()) {
      const trimmed = src.trim().replace(/[,;]+$/, '');
      const at = trimmed.indexOf('({') + 2;
      const withComment = `${trimmed.slice(0, at)}\n//${spec.out}\n${trimmed.slice(at)}`;
      const viaMetadata = vm.runInNewContext(`[${withComment}][0]`, {});
      const viaComponents = vm.runInNewContext(`({"${spec.out}": {"controller": ${withComment} }})`, {})[spec.out].controller;
      for (const c of [viaMetadata, viaComponents]) {
        for (const hook of spec.hooks) {
          expect(typeof c[hook], `${spec.out} ${hook}`).toBe('function');
          expect(typeof c._lf[hook], `${spec.out} _lf.${hook}`).toBe('function');
        }
      }
      expect(viaMetadata.plugins ?? []).toEqual(spec.extra.includes('Dashlet') ? ['Dashlet'] : []);
    }
  });
});

describe('packaging rules', () => {
  it('refuses to build with a file Module Loader would refuse or the manifest does not copy', async () => {
    const stray = ['custom/leadfwd-stray-test.json', 'custom/leadfwd-stray-test.php', 'scripts/leadfwd-stray-test.php'].map((f) => join('sugar-module', f));
    writeFileSync(stray[0], '{}');
    writeFileSync(stray[1], "<?php\nexec('id');\n");
    writeFileSync(stray[2], '<?php\n');
    try {
      const err = await buildPackage({ outDir: join(dir, 'refused'), skipUiBuild: true }).catch((e) => e);
      expect(err).toBeInstanceOf(PackageError);
      expect(err.problems).toEqual(
        expect.arrayContaining([
          "sugar-module/custom/leadfwd-stray-test.json is not in manifest.php's copy list",
          'sugar-module/custom/leadfwd-stray-test.json: Module Loader does not accept this file type',
          'sugar-module/custom/leadfwd-stray-test.php: Module Loader would refuse line 2: function exec()',
          "sugar-module/scripts/leadfwd-stray-test.php is not run by manifest.php's post_execute or post_uninstall",
        ]),
      );
      expect(existsSync(join(dir, 'refused'))).toBe(false);
    } finally {
      for (const f of stray) rmSync(f, { force: true });
    }
  });

  it('stamps the version and date, refusing a version PHP could misread', () => {
    const m = "'version' => '0.0.0',\n'published_date' => 'x',";
    expect(stampManifest(m, '1.2.3', new Date('2026-02-03T04:05:06Z'))).toBe("'version' => '1.2.3',\n'published_date' => '2026-02-03 04:05:06',");
    expect(() => stampManifest(m, "1.0'; system('id'); '", new Date())).toThrow(PackageError);
  });

  it('reads the copy list from manifest.php text', () => {
    expect(manifestCopies("array('from' => '<basepath>/Files/custom/a.php', 'to' => 'custom/a.php'),")).toEqual([
      { from: 'Files/custom/a.php', to: 'custom/a.php' },
    ]);
  });
});
