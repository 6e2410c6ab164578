// The public surface of this package. It is filled by the issue that builds the package.
export {};
