/*
 * A fake libnvidia-ml.so.1 for tests: the NVML entry points inferprint's nvml sensor uses,
 * with the real signatures, constants, struct layouts and units of NVIDIA's nvml.h
 * (NVML API version 12), driven by a scenario file instead of a GPU.
 *
 * Build:    cc -shared -fPIC -o libnvidia-ml.so.1 fake_nvml.c   (test/helpers/fake-nvml.ts does it)
 * Scenario: the file named by $FAKE_NVML_SCENARIO, read on each first nvmlInit_v2 (reference
 *           count 0 -> 1), so one loaded library serves many tests. Unset: one default GPU.
 *
 * Scenario lines (`#` starts a comment; unknown keys make nvmlInit_v2 fail, so typos show):
 *   driver_version 550.54.15
 *   init_error 9                      nvmlInit_v2 returns this nvmlReturn_t
 *   devices 2                         1..8
 *   gpuN.name NVIDIA H200             rest of the line
 *   gpuN.uuid GPU-...
 *   gpuN.power constant W | ramp W0 W1 DURATION_S | square LOW_W HIGH_W PERIOD_S
 *                                     as a function of time since init; ramp holds W1 after
 *                                     DURATION_S; square is LOW for the first half period
 *   gpuN.energy_counter supported | unsupported   (unsupported: NVML_ERROR_NOT_SUPPORTED, pre-Volta)
 *   gpuN.energy_offset_mj MJ          counter value at init (real counters count since driver load)
 *   gpuN.update_period_s S            power and counter change only every S seconds (0: continuously)
 *   gpuN.enforced_power_limit_mw MW | unsupported
 *   gpuN.power_limit_mw MW            nvmlDeviceGetPowerManagementLimit
 *   gpuN.utilization GPU_PCT MEM_PCT
 *   gpuN.clocks GRAPHICS_MHZ SM_MHZ MEM_MHZ
 *   gpuN.temperature C
 *   gpuN.memory TOTAL FREE USED       bytes
 *   gpuN.lost_after_s S               every device query returns NVML_ERROR_GPU_IS_LOST after S s
 *
 * The energy counter is the exact integral of the power curve (floor, in mJ), so a test can
 * compare counter energy with integrated power samples knowing both come from one curve.
 *
 * Thread safety: NVML is documented thread-safe, and inferprint calls the per-tick reads from
 * koffi's worker threads. Queries only read state that init wrote under the lock before
 * returning; init and shutdown take the lock.
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- types and constants, as in nvml.h ---- */

typedef enum nvmlReturn_enum {
  NVML_SUCCESS = 0,
  NVML_ERROR_UNINITIALIZED = 1,
  NVML_ERROR_INVALID_ARGUMENT = 2,
  NVML_ERROR_NOT_SUPPORTED = 3,
  NVML_ERROR_NO_PERMISSION = 4,
  NVML_ERROR_NOT_FOUND = 6,
  NVML_ERROR_INSUFFICIENT_SIZE = 7,
  NVML_ERROR_DRIVER_NOT_LOADED = 9,
  NVML_ERROR_GPU_IS_LOST = 15,
  NVML_ERROR_UNKNOWN = 999
} nvmlReturn_t;

typedef struct nvmlDevice_st *nvmlDevice_t;

typedef struct nvmlUtilization_st {
  unsigned int gpu;
  unsigned int memory;
} nvmlUtilization_t;

typedef struct nvmlMemory_st {
  unsigned long long total;
  unsigned long long free;
  unsigned long long used;
} nvmlMemory_t;

typedef enum nvmlClockType_enum { NVML_CLOCK_GRAPHICS = 0, NVML_CLOCK_SM = 1, NVML_CLOCK_MEM = 2, NVML_CLOCK_VIDEO = 3 } nvmlClockType_t;
typedef enum nvmlTemperatureSensors_enum { NVML_TEMPERATURE_GPU = 0 } nvmlTemperatureSensors_t;

#define EXPORT __attribute__((visibility("default")))

/* ---- scenario state ---- */

enum curve { CURVE_CONSTANT, CURVE_RAMP, CURVE_SQUARE };

struct nvmlDevice_st {
  char name[96];
  char uuid[96];
  enum curve curve;
  double a, b, c; /* constant: a; ramp: a -> b over c s; square: low a, high b, period c */
  int energy_supported;
  unsigned long long energy_offset_mj;
  double update_period_s;
  int enforced_limit_supported;
  unsigned int enforced_limit_mw;
  unsigned int limit_mw;
  unsigned int util_gpu, util_mem;
  unsigned int clock_mhz[3];
  unsigned int temperature_c;
  unsigned long long mem_total, mem_free, mem_used;
  double lost_after_s; /* < 0: never */
};

#define MAX_DEVICES 8
static struct nvmlDevice_st devices[MAX_DEVICES];
static unsigned int device_count;
static char driver_version[80];
static double t0_s;
static int refcount;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static double monotonic_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void set_defaults(void) {
  device_count = 1;
  snprintf(driver_version, sizeof driver_version, "%s", "550.54.15");
  for (unsigned int i = 0; i < MAX_DEVICES; i++) {
    struct nvmlDevice_st *d = &devices[i];
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "%s", "NVIDIA H200");
    snprintf(d->uuid, sizeof d->uuid, "GPU-00000000-0000-0000-0000-00000000000%u", i);
    d->curve = CURVE_CONSTANT;
    d->a = 100.0;
    d->energy_supported = 1;
    d->energy_offset_mj = 987654321ULL;
    d->enforced_limit_supported = 1;
    d->enforced_limit_mw = 700000;
    d->limit_mw = 700000;
    d->clock_mhz[0] = 1980;
    d->clock_mhz[1] = 1980;
    d->clock_mhz[2] = 3201;
    d->temperature_c = 40;
    d->mem_total = 150754820096ULL;
    d->mem_free = 150754820096ULL;
    d->lost_after_s = -1.0;
  }
}

static char *trim(char *s) {
  while (*s == ' ' || *s == '\t') s++;
  size_t n = strlen(s);
  while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r')) s[--n] = '\0';
  return s;
}

/* Applies one `gpuN.key value` line; returns 0 when the line is not understood. */
static int apply_device_key(struct nvmlDevice_st *d, const char *key, char *value) {
  if (strcmp(key, "name") == 0) return snprintf(d->name, sizeof d->name, "%s", value) > 0;
  if (strcmp(key, "uuid") == 0) return snprintf(d->uuid, sizeof d->uuid, "%s", value) > 0;
  if (strcmp(key, "power") == 0) {
    if (sscanf(value, "constant %lf", &d->a) == 1) return d->curve = CURVE_CONSTANT, 1;
    if (sscanf(value, "ramp %lf %lf %lf", &d->a, &d->b, &d->c) == 3 && d->c > 0) return d->curve = CURVE_RAMP, 1;
    if (sscanf(value, "square %lf %lf %lf", &d->a, &d->b, &d->c) == 3 && d->c > 0) return d->curve = CURVE_SQUARE, 1;
    return 0;
  }
  if (strcmp(key, "energy_counter") == 0) {
    if (strcmp(value, "supported") == 0) return d->energy_supported = 1, 1;
    if (strcmp(value, "unsupported") == 0) return d->energy_supported = 0, 1;
    return 0;
  }
  if (strcmp(key, "energy_offset_mj") == 0) return sscanf(value, "%llu", &d->energy_offset_mj) == 1;
  if (strcmp(key, "update_period_s") == 0) return sscanf(value, "%lf", &d->update_period_s) == 1;
  if (strcmp(key, "enforced_power_limit_mw") == 0) {
    if (strcmp(value, "unsupported") == 0) return d->enforced_limit_supported = 0, 1;
    return d->enforced_limit_supported = 1, sscanf(value, "%u", &d->enforced_limit_mw) == 1;
  }
  if (strcmp(key, "power_limit_mw") == 0) return sscanf(value, "%u", &d->limit_mw) == 1;
  if (strcmp(key, "utilization") == 0) return sscanf(value, "%u %u", &d->util_gpu, &d->util_mem) == 2;
  if (strcmp(key, "clocks") == 0) return sscanf(value, "%u %u %u", &d->clock_mhz[0], &d->clock_mhz[1], &d->clock_mhz[2]) == 3;
  if (strcmp(key, "temperature") == 0) return sscanf(value, "%u", &d->temperature_c) == 1;
  if (strcmp(key, "memory") == 0) return sscanf(value, "%llu %llu %llu", &d->mem_total, &d->mem_free, &d->mem_used) == 3;
  if (strcmp(key, "lost_after_s") == 0) return sscanf(value, "%lf", &d->lost_after_s) == 1;
  return 0;
}

/* Loads the scenario; returns NVML_SUCCESS or the code nvmlInit_v2 must return. */
static nvmlReturn_t load_scenario(void) {
  set_defaults();
  const char *path = getenv("FAKE_NVML_SCENARIO");
  if (path == NULL || *path == '\0') return NVML_SUCCESS;
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    fprintf(stderr, "fake_nvml: cannot open scenario %s\n", path);
    return NVML_ERROR_UNKNOWN;
  }
  nvmlReturn_t result = NVML_SUCCESS;
  char buf[512];
  int line = 0;
  while (fgets(buf, sizeof buf, f) != NULL) {
    line++;
    char *hash = strchr(buf, '#');
    if (hash != NULL) *hash = '\0';
    char *s = trim(buf);
    if (*s == '\0') continue;
    char *space = strpbrk(s, " \t");
    char *value = space != NULL ? trim(space + 1) : s + strlen(s);
    if (space != NULL) *space = '\0';
    int ok = 0;
    unsigned int index;
    int consumed = 0;
    if (strcmp(s, "driver_version") == 0) {
      ok = snprintf(driver_version, sizeof driver_version, "%s", value) > 0;
    } else if (strcmp(s, "init_error") == 0) {
      int code;
      ok = sscanf(value, "%d", &code) == 1;
      if (ok && result == NVML_SUCCESS) result = (nvmlReturn_t)code;
    } else if (strcmp(s, "devices") == 0) {
      ok = sscanf(value, "%u", &device_count) == 1 && device_count >= 1 && device_count <= MAX_DEVICES;
    } else if (sscanf(s, "gpu%u.%n", &index, &consumed) == 1 && consumed > 0 && index < MAX_DEVICES) {
      ok = apply_device_key(&devices[index], s + consumed, value);
    }
    if (!ok) {
      fprintf(stderr, "fake_nvml: %s:%d: cannot read '%s %s'\n", path, line, s, value);
      result = NVML_ERROR_UNKNOWN;
      break;
    }
  }
  fclose(f);
  return result;
}

/* ---- the power curve and its exact integral ---- */

static double power_w(const struct nvmlDevice_st *d, double t) {
  switch (d->curve) {
    case CURVE_RAMP:
      return t < d->c ? d->a + (d->b - d->a) * t / d->c : d->b;
    case CURVE_SQUARE:
      return fmod(t, d->c) < d->c / 2 ? d->a : d->b;
    case CURVE_CONSTANT:
    default:
      return d->a;
  }
}

static double energy_j(const struct nvmlDevice_st *d, double t) {
  switch (d->curve) {
    case CURVE_RAMP:
      if (t < d->c) return d->a * t + (d->b - d->a) * t * t / (2 * d->c);
      return (d->a + d->b) * d->c / 2 + d->b * (t - d->c);
    case CURVE_SQUARE: {
      double periods = floor(t / d->c);
      double r = t - periods * d->c;
      double half = d->c / 2;
      return periods * (d->a + d->b) * half + d->a * fmin(r, half) + d->b * fmax(0.0, r - half);
    }
    case CURVE_CONSTANT:
    default:
      return d->a * t;
  }
}

/* ---- helpers shared by the device queries ---- */

static struct nvmlDevice_st *valid(nvmlDevice_t device) {
  for (unsigned int i = 0; i < device_count; i++)
    if (device == &devices[i]) return device;
  return NULL;
}

/* Seconds since init as the device sees them (held between updates), or -1 when the GPU is lost. */
static nvmlReturn_t device_time(nvmlDevice_t device, double *t) {
  if (refcount == 0) return NVML_ERROR_UNINITIALIZED;
  struct nvmlDevice_st *d = valid(device);
  if (d == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  double now = monotonic_s() - t0_s;
  if (d->lost_after_s >= 0 && now >= d->lost_after_s) return NVML_ERROR_GPU_IS_LOST;
  *t = d->update_period_s > 0 ? floor(now / d->update_period_s) * d->update_period_s : now;
  return NVML_SUCCESS;
}

static nvmlReturn_t copy_string(const char *src, char *dst, unsigned int length) {
  if (dst == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  if (strlen(src) + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
  memcpy(dst, src, strlen(src) + 1);
  return NVML_SUCCESS;
}

/* ---- the exported NVML API ---- */

EXPORT nvmlReturn_t nvmlInit_v2(void) {
  nvmlReturn_t r = NVML_SUCCESS;
  pthread_mutex_lock(&lock);
  if (refcount == 0) {
    r = load_scenario();
    if (r == NVML_SUCCESS) t0_s = monotonic_s();
  }
  if (r == NVML_SUCCESS) refcount++;
  pthread_mutex_unlock(&lock);
  return r;
}

EXPORT nvmlReturn_t nvmlShutdown(void) {
  nvmlReturn_t r = NVML_SUCCESS;
  pthread_mutex_lock(&lock);
  if (refcount == 0) r = NVML_ERROR_UNINITIALIZED;
  else refcount--;
  pthread_mutex_unlock(&lock);
  return r;
}

/* The strings of the real library for the codes this fake returns. */
EXPORT const char *nvmlErrorString(nvmlReturn_t result) {
  switch ((int)result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_NO_PERMISSION: return "Insufficient Permissions";
    case NVML_ERROR_NOT_FOUND: return "Not Found";
    case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
    default: return "Unknown Error";
  }
}

EXPORT nvmlReturn_t nvmlSystemGetDriverVersion(char *version, unsigned int length) {
  if (refcount == 0) return NVML_ERROR_UNINITIALIZED;
  return copy_string(driver_version, version, length);
}

EXPORT nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int *deviceCount) {
  if (refcount == 0) return NVML_ERROR_UNINITIALIZED;
  if (deviceCount == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  *deviceCount = device_count;
  return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t *device) {
  if (refcount == 0) return NVML_ERROR_UNINITIALIZED;
  if (device == NULL || index >= device_count) return NVML_ERROR_INVALID_ARGUMENT;
  *device = &devices[index];
  return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char *name, unsigned int length) {
  double t;
  nvmlReturn_t r = device_time(device, &t);
  return r != NVML_SUCCESS ? r : copy_string(device->name, name, length);
}

EXPORT nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char *uuid, unsigned int length) {
  double t;
  nvmlReturn_t r = device_time(device, &t);
  return r != NVML_SUCCESS ? r : copy_string(device->uuid, uuid, length);
}

/* mW, for the whole board. */
EXPORT nvmlReturn_t nvmlDeviceGetPowerUsage(nvmlDevice_t device, unsigned int *power) {
  double t;
  nvmlReturn_t r = device_time(device, &t);
  if (r != NVML_SUCCESS) return r;
  if (power == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  *power = (unsigned int)lround(power_w(device, t) * 1000.0);
  return NVML_SUCCESS;
}

/* mJ since the driver was last reloaded (here: offset + energy since init). */
EXPORT nvmlReturn_t nvmlDeviceGetTotalEnergyConsumption(nvmlDevice_t device, unsigned long long *energy) {
  double t;
  nvmlReturn_t r = device_time(device, &t);
  if (r != NVML_SUCCESS) return r;
  if (!device->energy_supported) return NVML_ERROR_NOT_SUPPORTED;
  if (energy == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  *energy = device->energy_offset_mj + (unsigned long long)floor(energy_j(device, t) * 1000.0);
  return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetEnforcedPowerLimit(nvmlDevice_t device, unsigned int *limit) {
  double t;
  nvmlReturn_t r = device_time(device, &t);
  if (r != NVML_SUCCESS) return r;
  if (!device->enforced_limit_supported) return NVML_ERROR_NOT_SUPPORTED;
  if (limit == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  *limit = device->enforced_limit_mw;
  return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetPowerManagementLimit(nvmlDevice_t device, unsigned int *limit) {
  double t;
  nvmlReturn_t r = device_time(device, &t);
  if (r != NVML_SUCCESS) return r;
  if (limit == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  *limit = device->limit_mw;
  return NVML_SUCCESS;
}

EXPORT nvmlReturn_t nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t *utilization) {
  double t;
  nvmlReturn_t r = device_time(device, &t);
  if (r != NVML_SUCCESS) return r;
  if (utilization == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  utilization->gpu = device->util_gpu;
  utilization->memory = device->util_mem;
  return NVML_SUCCESS;
}

/* MHz. */
EXPORT nvmlReturn_t nvmlDeviceGetClockInfo(nvmlDevice_t device, nvmlClockType_t type, unsigned int *clock) {
  double t;
  nvmlReturn_t r = device_time(device, &t);
  if (r != NVML_SUCCESS) return r;
  if (clock == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  if ((int)type < NVML_CLOCK_GRAPHICS || (int)type > NVML_CLOCK_VIDEO) return NVML_ERROR_INVALID_ARGUMENT;
  if (type == NVML_CLOCK_VIDEO) return NVML_ERROR_NOT_SUPPORTED;
  *clock = device->clock_mhz[type];
  return NVML_SUCCESS;
}

/* Degrees C. */
EXPORT nvmlReturn_t nvmlDeviceGetTemperature(nvmlDevice_t device, nvmlTemperatureSensors_t sensorType, unsigned int *temp) {
  double t;
  nvmlReturn_t r = device_time(device, &t);
  if (r != NVML_SUCCESS) return r;
  if (temp == NULL || sensorType != NVML_TEMPERATURE_GPU) return NVML_ERROR_INVALID_ARGUMENT;
  *temp = device->temperature_c;
  return NVML_SUCCESS;
}

/* Bytes. */
EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t *memory) {
  double t;
  nvmlReturn_t r = device_time(device, &t);
  if (r != NVML_SUCCESS) return r;
  if (memory == NULL) return NVML_ERROR_INVALID_ARGUMENT;
  memory->total = device->mem_total;
  memory->free = device->mem_free;
  memory->used = device->mem_used;
  return NVML_SUCCESS;
}

/* Not NVML: lets tests check that every nvmlInit_v2 was paired with an nvmlShutdown. */
EXPORT int fake_nvml_refcount(void) {
  return refcount;
}
