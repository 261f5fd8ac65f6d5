// The SDK members this project relies on (and the toolchain brief names); their schema must
// match the SDK exactly. Nested types are included by name prefix (Instance -> InstanceNetwork).

const keyResources = [
  "openstack:compute/instance:Instance",
  "openstack:compute/keypair:Keypair",
  "openstack:compute/serverGroup:ServerGroup",
  "openstack:compute/volumeAttach:VolumeAttach",
  "openstack:compute/flavor:Flavor",
  "openstack:networking/network:Network",
  "openstack:networking/subnet:Subnet",
  "openstack:networking/port:Port",
  "openstack:networking/secGroup:SecGroup",
  "openstack:networking/secGroupRule:SecGroupRule",
  "openstack:blockstorage/volume:Volume",
];

const keyFunctions = [
  "openstack:compute/getFlavor:getFlavor",
  "openstack:compute/getKeypair:getKeypair",
  "openstack:networking/getNetwork:getNetwork",
  "openstack:networking/getSubnet:getSubnet",
  "openstack:networking/getPort:getPort",
  "openstack:networking/getSecGroup:getSecGroup",
  "openstack:images/getImage:getImage",
];

/** "openstack:compute/instance:Instance" -> "openstack:compute/Instance" (prefix of its nested types). */
function typePrefix(token: string): string {
  const [pkg, path, name] = token.split(":");
  const module = path.split("/")[0];
  return `${pkg}:${module}/${name.charAt(0).toUpperCase()}${name.slice(1)}`;
}

const typePrefixes = [...keyResources, ...keyFunctions].map(typePrefix);

export function isKeyMember(key: string): boolean {
  const [kind, token] = key.split(" ");
  switch (kind) {
    case "provider":
    case "config":
      return true;
    case "resource":
      return keyResources.includes(token);
    case "function":
      return keyFunctions.includes(token);
    case "type":
      return typePrefixes.some((prefix) => token.startsWith(prefix.toLowerCase()));
    default:
      return false;
  }
}

export const keyMemberCount = keyResources.length + keyFunctions.length;
