/**
 * 3-D objects (obj, gltf, glb), point clouds in the three colour schemes
 * (n x 3 plain, n x 4 category 1..14, n x 6 rgb 0..255) and lidar scenes
 * (`lidar/beta`: points, labelled coloured boxes, vectors) with three.js.
 * Orbit with the mouse, wheel to zoom, Ctrl+drag (or right-drag) to pan.
 * Renders on demand (when the view changes), not in a loop. Loaded on demand.
 */
import * as THREE from "three";
import { OrbitControls } from "three/examples/jsm/controls/OrbitControls.js";
import { OBJLoader } from "three/examples/jsm/loaders/OBJLoader.js";
import { GLTFLoader } from "three/examples/jsm/loaders/GLTFLoader.js";
import { CATEGORY_COLORS } from "../lib/colors";

type Row = number[];

function clamp255(v: number): number { return Math.max(0, Math.min(255, v)) / 255; }

export function pointCloud(rows: Row[]): THREE.Points {
  const pos = new Float32Array(rows.length * 3);
  const col = new Float32Array(rows.length * 3);
  rows.forEach((p, i) => {
    pos.set([p[0], p[1], p[2]], i * 3);
    let c: [number, number, number] = [0.2, 0.45, 0.85];
    if (p.length === 4) {
      const k = CATEGORY_COLORS[(Math.max(1, Math.min(14, Math.round(p[3]))) - 1)];
      c = [k[0] / 255, k[1] / 255, k[2] / 255];
    } else if (p.length >= 6) c = [clamp255(p[3]), clamp255(p[4]), clamp255(p[5])];
    col.set(c, i * 3);
  });
  const g = new THREE.BufferGeometry();
  g.setAttribute("position", new THREE.BufferAttribute(pos, 3));
  g.setAttribute("color", new THREE.BufferAttribute(col, 3));
  return new THREE.Points(g, new THREE.PointsMaterial({ size: 4, sizeAttenuation: false, vertexColors: true }));
}

/** The 12 edges of a box given its 8 corners in any order: each corner's 3 nearest corners. */
export function boxEdges(corners: Row[]): [number, number][] {
  const edges = new Set<string>();
  corners.forEach((a, i) => {
    const d = corners.map((b, j) => ({ j, d: (a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2 + (a[2] - b[2]) ** 2 }))
      .filter((x) => x.j !== i).sort((x, y) => x.d - y.d).slice(0, 3);
    for (const { j } of d) edges.add(i < j ? `${i},${j}` : `${j},${i}`);
  });
  return [...edges].map((e) => e.split(",").map(Number) as [number, number]);
}

function label(text: string, color: THREE.Color): THREE.Sprite {
  const c = document.createElement("canvas");
  const g = c.getContext("2d")!;
  g.font = "28px sans-serif";
  c.width = Math.ceil(g.measureText(text).width) + 12; c.height = 36;
  g.font = "28px sans-serif";
  g.fillStyle = `#${color.getHexString()}`;
  g.fillRect(0, 0, c.width, c.height);
  g.fillStyle = "#fff";
  g.fillText(text, 6, 28);
  const s = new THREE.Sprite(new THREE.SpriteMaterial({ map: new THREE.CanvasTexture(c), depthTest: false }));
  s.scale.set(c.width / c.height * 0.25, 0.25, 1);
  return s;
}

function scene(obj: any): THREE.Object3D {
  const root = new THREE.Group();
  if (Array.isArray(obj)) { root.add(pointCloud(obj)); return root; }
  if (Array.isArray(obj.points)) root.add(pointCloud(obj.points));
  for (const b of obj.boxes ?? []) {
    const col = new THREE.Color(...((b.color ?? [0, 255, 0]) as number[]).map(clamp255) as [number, number, number]);
    const pts: number[] = [];
    for (const [i, j] of boxEdges(b.corners)) pts.push(...b.corners[i], ...b.corners[j]);
    const g = new THREE.BufferGeometry();
    g.setAttribute("position", new THREE.Float32BufferAttribute(pts, 3));
    root.add(new THREE.LineSegments(g, new THREE.LineBasicMaterial({ color: col })));
    if (b.label) {
      const top = b.corners.reduce((m: Row, c: Row) => (c[2] > m[2] ? c : m), b.corners[0]);
      const s = label(String(b.label), col);
      s.position.set(top[0], top[1], top[2] + 0.15);
      root.add(s);
    }
  }
  for (const v of obj.vectors ?? []) {
    const start = new THREE.Vector3(...(v.start as [number, number, number]));
    const end = new THREE.Vector3(...(v.end as [number, number, number]));
    const dir = end.clone().sub(start);
    const col = v.color ? new THREE.Color(...(v.color as number[]).map(clamp255) as [number, number, number]) : new THREE.Color(0xdd2222);
    root.add(new THREE.ArrowHelper(dir.clone().normalize(), start, dir.length(), col));
  }
  return root;
}

async function load(url: string, format: string): Promise<THREE.Object3D> {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${r.status} loading the 3-D object`);
  if (format === "obj") {
    const o = new OBJLoader().parse(await r.text());
    o.traverse((m: any) => { if (m.isMesh) m.material = new THREE.MeshStandardMaterial({ color: 0x8899bb, side: THREE.DoubleSide }); });
    return o;
  }
  if (format === "gltf" || format === "glb") {
    const buf = await r.arrayBuffer();
    const gltf = await new GLTFLoader().parseAsync(format === "glb" ? buf : new TextDecoder().decode(buf), "");
    gltf.scene.traverse((m: any) => { if (m.isMesh && m.material) m.material.side = THREE.DoubleSide; });
    return gltf.scene;
  }
  return scene(await r.json());
}

export async function mount(el: HTMLElement, a: { url: string; format: string; path: string }): Promise<() => void> {
  const format = a.path.endsWith(".pts.json") ? "pts" : a.format;
  const object = await load(a.url, format);
  const w = el.clientWidth || 320, h = 260;
  const renderer = new THREE.WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  renderer.setPixelRatio(devicePixelRatio);
  renderer.setSize(w, h);
  renderer.setClearColor(0xf7f8fa);
  el.appendChild(renderer.domElement);
  const sc = new THREE.Scene();
  sc.add(new THREE.AmbientLight(0xffffff, 1.2));
  const light = new THREE.DirectionalLight(0xffffff, 1.5);
  light.position.set(3, 5, 4);
  sc.add(light);
  sc.add(object);
  const box = new THREE.Box3().setFromObject(object);
  const size = box.getSize(new THREE.Vector3()).length() || 1;
  const center = box.getCenter(new THREE.Vector3());
  const grid = new THREE.GridHelper(size * 2, 10, 0xcccccc, 0xe5e5e5);
  grid.position.set(center.x, box.min.y, center.z);
  sc.add(grid);
  const camera = new THREE.PerspectiveCamera(50, w / h, size / 100, size * 100);
  camera.position.copy(center).add(new THREE.Vector3(size * 0.9, size * 0.7, size * 1.1));
  const controls = new OrbitControls(camera, renderer.domElement);
  controls.target.copy(center);
  const render = () => renderer.render(sc, camera);
  controls.addEventListener("change", render);
  controls.update();
  render();
  return () => {
    controls.dispose();
    renderer.dispose();
    renderer.forceContextLoss();
    renderer.domElement.remove();
  };
}
