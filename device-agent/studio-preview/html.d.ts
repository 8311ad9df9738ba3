/** The studio preview's build (console/build.mjs) loads .html as text: the touch UI page's design tokens. */
declare module '*.html' {
  const text: string;
  export default text;
}
