using System;
using System.Runtime.InteropServices;

namespace CnnGen.Tests.Infrastructure
{
    /// <summary>
    /// Floats between two inaccessible pages (Linux, mprotect): a kernel that reads or writes one float before or after
    /// the span faults instead of reading a neighbour's memory into a lane it later discards. The span starts right after
    /// the first guard page or ends right before the second.
    /// </summary>
    public sealed unsafe class GuardedBuffer : IDisposable
    {
        private const int Page = 4096;
        private const int ProtNone = 0, ProtReadWrite = 3;
        private readonly byte* _base;
        private readonly nuint _size;
        private readonly int _length;
        private readonly bool _atEnd;

        public GuardedBuffer(int length, bool atEnd)
        {
            _length = length;
            _atEnd = atEnd;
            nuint data = (nuint)(((long)length * sizeof(float) + Page - 1) / Page * Page);
            _size = data + (2 * Page);
            _base = (byte*)NativeMemory.AlignedAlloc(_size, Page);
            Protect(_base, Page, ProtNone);
            Protect(_base + Page + data, Page, ProtNone);
        }

        public static bool Supported => OperatingSystem.IsLinux();

        public Span<float> Span
        {
            get
            {
                byte* start = _atEnd ? _base + (_size - Page) - ((long)_length * sizeof(float)) : _base + Page;
                return new Span<float>(start, _length);
            }
        }

        public void Dispose()
        {
            Protect(_base, _size, ProtReadWrite);
            NativeMemory.AlignedFree(_base);
        }

        private static void Protect(byte* address, nuint length, int protection)
        {
            if (mprotect(address, length, protection) != 0)
            {
                throw new InvalidOperationException("mprotect failed: " + Marshal.GetLastPInvokeError());
            }
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int mprotect(void* address, nuint length, int protection);
    }
}
