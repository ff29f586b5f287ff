// Vite's `?raw` imports (the default dataset is read as text, the way `npm start` sends it).
declare module "*?raw" {
  const text: string;
  export default text;
}
