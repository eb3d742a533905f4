// Placeholder: replaced as soon as the bridge lands.
export default function setup(): void {}
