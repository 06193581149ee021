/* A stand-in for Windows' bcryptprimitives.dll, for running Rust programs
 * under Wine 8 (Debian 12's), which lacks it: Rust's standard library (1.78
 * and later) imports ProcessPrng from it for HashMap keys and random seeds.
 * Real Windows 10 and later has the DLL; this file is used only by our
 * Wine test runs (scripts/platforms installs it into the Wine prefix).
 *
 * ProcessPrng fills the buffer from RtlGenRandom (advapi32's
 * SystemFunction036), the system's cryptographic generator; it always
 * returns TRUE, as documented. */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
    while (length > 0) {
        ULONG chunk = length > 0x40000000 ? 0x40000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
