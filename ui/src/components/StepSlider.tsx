/** The media step slider: moves over the steps that have a value, shows the step. */
export function StepSlider({ steps, step, onStep }: { steps: number[]; step: number; onStep: (s: number) => void }) {
  if (steps.length <= 1) return <div class="step-label">Step {steps[0] ?? ""}</div>;
  let idx = steps.findIndex((s) => s >= step);
  if (idx < 0) idx = steps.length - 1;
  return (
    <div class="step-slider">
      <span class="step-label">Step {steps[idx]}</span>
      <input type="range" class="step" min={0} max={steps.length - 1} step={1} value={idx}
        onInput={(e) => onStep(steps[Number((e.target as HTMLInputElement).value)])} />
    </div>
  );
}
