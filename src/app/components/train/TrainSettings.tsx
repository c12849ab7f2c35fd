import { useStudio } from '../../../state/store';

/**
 * Steps, learning rate and optimizer of the fine-tune: the loaded model's recipe (its card) unless the
 * user overrides them. The loss, augmentation, distillation and validation settings stay the recipe's.
 */
export function TrainSettings({ disabled }: { readonly disabled: boolean }) {
  const recipe = useStudio((s) => s.model?.recipe.fineTune);
  const overrides = useStudio((s) => s.trainOverrides);
  const setOverrides = useStudio((s) => s.setTrainOverrides);
  const reset = useStudio((s) => s.resetTrainOverrides);
  if (!recipe) return null;
  const steps = overrides.steps ?? recipe.steps;
  const learningRate = overrides.learningRate ?? recipe.learningRate;
  const optimizer = overrides.optimizer ?? recipe.optimizer;
  const changed = Object.keys(overrides).length > 0;
  return (
    <div className="train-settings small" data-testid="train-settings" data-recipe-steps={recipe.steps} data-recipe-lr={recipe.learningRate} data-recipe-optimizer={recipe.optimizer}>
      <div className="row">
        <label className="inline-field">
          Steps
          <input type="number" min={1} max={10000} value={steps} disabled={disabled} onChange={(e) => setOverrides({ steps: Math.max(1, Math.round(Number(e.target.value)) || 1) })} data-testid="train-steps" />
        </label>
        <label className="inline-field">
          LR
          <input type="number" min={1e-6} max={1} step={1e-5} value={learningRate} disabled={disabled} onChange={(e) => setOverrides({ learningRate: Number(e.target.value) || recipe.learningRate })} data-testid="train-lr" />
        </label>
        <select value={optimizer} disabled={disabled} onChange={(e) => setOverrides({ optimizer: e.target.value as 'adam' | 'sgd' })} aria-label="Optimizer" data-testid="train-optimizer">
          <option value="adam">Adam</option>
          <option value="sgd">SGD, momentum 0.99</option>
        </select>
      </div>
      <p className="muted">
        {changed ? 'Changed from' : 'From'} the model's recipe: {recipe.steps} steps, {recipe.optimizer === 'adam' ? 'Adam' : 'SGD'}, learning rate {recipe.learningRate}
        {recipe.distillation > 0 ? `, distillation ${recipe.distillation}` : ''}, validation every {recipe.validateEvery} steps, keep-best.{' '}
        {changed && (
          <button className="link-btn" onClick={reset} disabled={disabled} data-testid="train-reset">
            Use the recipe
          </button>
        )}
      </p>
    </div>
  );
}
