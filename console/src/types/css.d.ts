/** esbuild loads .css as text; components adopt it with unsafeCSS (CSP allows only same-origin styles). */
declare module '*.css' {
  const text: string;
  export default text;
}
