/** Tool identity recorded in every result. Kept in sync with package.json by a test. */
export const TOOL_NAME = 'inferprint';
export const TOOL_VERSION = '0.1.0';
