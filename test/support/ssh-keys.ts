/**
 * Real keys made with ssh-keygen for the tests (throwaway: the private one is here to be refused).
 * Fingerprints are what `ssh-keygen -lf` printed for them.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
export const ED25519_PUB = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIEfKL0SfhzOo7vFe0nB8lSi34TgJ8beZJJvu/Q5bbV4p alice@laptop';
export const ED25519_FP = 'SHA256:5hG1M7xoVybXbw1Z61WKQHksvYx4gV0bSrVxFVvDxhg';
export const ECDSA384_PUB = 'ecdsa-sha2-nistp384 AAAAE2VjZHNhLXNoYTItbmlzdHAzODQAAAAIbmlzdHAzODQAAABhBLkkpekhY4idxCeoCl65Bg+rR+A+xSkXP5EFq5pDUZPNxe47VgUK9G8gJqjRvQ+CtHG969FzyjbM08NFA42AAzbBkPMNn6hZ20blTg0ioBlSt7iKyAcFBc4SEGg9SsAcrg== e@x';
export const ECDSA384_FP = 'SHA256:ALLD4JAWCQSxI6VWF8+qBiB4MQN/GbYMhXBAaA2tc7U';
export const RSA2048_PUB = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQCwHWDsjKvyNeZHRki224a5k3/XmR558GCw2OEbEv8e3igW/ZREZFtzxcLTcYoY3nGNOaX+hfDC7SafJLoKuP6S/Wc3imQYCFVxag8OElAyTfgcZeDdOSGTeYCBdwhkeZ2lHKls4JxPv60BE9Z/FhzxcjHowRyPNAyPL4dUpwjwmw43qDjzKHKGNoJrvigBWt+/LOmNJuKqXGlhAlAooWmisN1pAlHD8sv1Thi0gOc/TCmPfqo0kYKe2T+1FXvwRsEUOPdc8ZLQsyNF/vP+Swy1X0vAhPENnELb214AM8D9fhlK9s0bft/Df7RVZFDEc6BtFbmpwLf8sxh0UYIyMB8t r@x';
export const RSA2048_FP = 'SHA256:Kw4nem2SAKk34quhwMWGwRn8SzAtUxl/rkbrJG+UWuI';
export const RSA1024_PUB = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQDraOX/RYA4WTWKulTwPfWI7V8HYvROGACRlk7va7hWFQ8cePaZWGBBCK7YL2SWHHkmBt8WA9oD0+eYTwY9JVh96px9RvDlPb6aM1fasJrozCrS5V0HyWTrSzLkTCoAQu3qp3eFBCJ7z1xWDbW+LLZLZ/Um/4Pa6kPUAMyYwKrAmQ== root@vm';
export const RSA1024_FP = 'SHA256:ho6zAPN5cEuKn5j0wDDp8ZbZcvDEWwpxYnGogOfoayA';
export const ECDSA521_PUB = 'ecdsa-sha2-nistp521 AAAAE2VjZHNhLXNoYTItbmlzdHA1MjEAAAAIbmlzdHA1MjEAAACFBADu+V6GbxCv9/iq14C4HMtU3Udzu1vqEDGfidOUOgKIz96H4UNvT6nQdSBxGLYXh5R9AWEiiLWhgdHBC0Gn9BZ0dQF9LawDxSb9+5AVZpB0NNereesRD02NIKZiEi2dU3Wp5UB/NvjIVPl9983qagOs+pNKKzcCweaCi7Q3+2/fnVxBLQ== root@vm';
export const ECDSA521_FP = 'SHA256:fTnHcMTSlj7Ebz7CjRZQmH6oGFhCsdr6A2+VkK6PTbU';
export const RSA3072_PUB = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQC/yDFWc8g/Qe5CtA1AT+zmwhwAyeApXh9qLc4NFnhjXNuzl6AV+pZ9l3rVQZ0OiNmACfiZoAUbm6oJykpJSh5nKMAqVmoZoxH4AGZzucoou/EgTHNZA+1sy9Ea21ZJGNDoeYzrBqcAaI+kn5TPtEZgrMRh0sp/gA/KKpoipjXCVW4dq+tHTqZXZHgMR4gcANNPoDLJujTsQysx10NdPQ1Fp7tJv8Tsb1vn31tnsTflTGA+2byRLYyw0Y3MCyOl+VFmtkcLGbElBkzF5e8fRwqj3ZwZ8Zhhatwyi7Zrj2F4oNuDHbDF2U05a23OYJquY205UBGjTVk3/R38+GglqBjS7pT8R2cWJejQbgdx0feL9FUWlkXgpRpfaME/LXIevXsa5r12t9YJCHtIRNDzxGWpr9KSTLZT8u6wSgcJcp726Ih4I5gsUnUoqiKcLTzRict6UllZVEVwdPCr42fX/Ch8dm/1FAbcmLRzsmeuW2mZey6/8I+6W9dlBEjkiFleIms= root@vm';
export const RSA3072_FP = 'SHA256:nczl+z7nmnlGbCfbtVwsylYZVrPAdfvtcY1pooKhKpk';
/**
 * Private keys as people paste them by mistake, made fresh per call (no private key is committed):
 * OpenSSH armour around an `openssh-key-v1` body, and PKCS#8 PEM from node:crypto.
 */
export function privateKeys(): { openssh: string; pem: string; bareBody: string } {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const raw = Buffer.concat([Buffer.from('openssh-key-v1\0', 'latin1'), randomBytes(200)]).toString('base64');
  const lines = raw.match(/.{1,70}/g) ?? [];
  const bareBody = lines.join('\n');
  return { openssh: `-----BEGIN OPENSSH PRIVATE KEY-----\n${bareBody}\n-----END OPENSSH PRIVATE KEY-----\n`, pem, bareBody };
}
