/**
 * The exact EDT lives in src/image (pure, no tfjs) so that object post-processing can use it; this
 * re-export keeps the model layer's imports (border weights) where they were.
 */
export { distanceTransform, squaredDistanceTransform } from '../image/distanceTransform';
