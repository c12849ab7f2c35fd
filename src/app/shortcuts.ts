/** Every keyboard shortcut: alternative keys, and what they do, as the help overlay lists them (the handler in useShortcuts follows this). */
export const SHORTCUTS: readonly { readonly group: string; readonly keys: readonly (readonly [readonly string[], string])[] }[] = [
  {
    group: 'Images',
    keys: [
      [['↑', '↓'], 'Previous / next image'],
      [['S'], 'Segment the shown image'],
      [['Shift+S'], 'Segment all images'],
      [['Esc'], 'Cancel segmentation; close this help'],
    ],
  },
  {
    group: 'View',
    keys: [
      [['Wheel', 'Pinch'], 'Zoom about the cursor'],
      [['+', '−'], 'Zoom in / out'],
      [['0', 'F'], 'Fit to window'],
      [['Space+drag', 'Middle-drag'], 'Pan'],
      [['P', 'O', 'I', 'L'], 'Show/hide probability, outline, objects, labels'],
    ],
  },
  {
    group: 'Paint',
    keys: [
      [['B'], 'Brush'],
      [['E'], 'Eraser (back to unlabelled)'],
      [['G'], 'Flood fill'],
      [['H'], 'Pan tool'],
      [['[', ']'], 'Smaller / larger brush'],
      [['1', '2'], 'Paint class 1 / class 2 (names in Painted labels)'],
      [['X'], 'Swap the painted class'],
      [['Ctrl+Z'], 'Undo'],
      [['Ctrl+Shift+Z', 'Ctrl+Y'], 'Redo'],
    ],
  },
];
