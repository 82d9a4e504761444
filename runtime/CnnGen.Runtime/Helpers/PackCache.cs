using System;
using System.ComponentModel;
using System.Runtime.InteropServices;

namespace CnnGen.Runtime
{
    /// <summary>Repacks a PyTorch-layout weight into the layout a vector kernel reads.</summary>
    /// <param name="source">The weight in PyTorch's layout.</param>
    /// <param name="target">Receives the repacked weight.</param>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public delegate void PackAction(ReadOnlySpan<float> source, Span<float> target);

    /// <summary>
    /// The repacked weight of a generated static layer method, kept per thread: a call with the same weight as the
    /// thread's last call (compared byte for byte, far cheaper than repacking) reuses it, so calling a layer method
    /// in a loop does not repack its weight every time. Infrastructure for generated code; not meant to be called directly.
    /// </summary>
    [EditorBrowsable(EditorBrowsableState.Never)]
    public sealed class PackCache
    {
        private readonly float[] _source;
        private readonly float[] _packed;
        private bool _filled;

        private PackCache(int sourceLength, int packedLength)
        {
            _source = new float[sourceLength];
            _packed = new float[packedLength];
        }

        /// <summary>
        /// The repacked <paramref name="weight"/>: from <paramref name="cache"/> (a [ThreadStatic] field) when it holds
        /// the same weight, else packed by <paramref name="pack"/> and kept.
        /// </summary>
        public static ReadOnlySpan<float> Get(ref PackCache? cache, ReadOnlySpan<float> weight, int packedLength, PackAction pack)
        {
            if (pack is null)
            {
                throw new ArgumentNullException(nameof(pack));
            }

            if (cache is null || cache._source.Length != weight.Length || cache._packed.Length != packedLength)
            {
                cache = new PackCache(weight.Length, packedLength);
            }

            if (!cache._filled || !MemoryMarshal.AsBytes(weight).SequenceEqual(MemoryMarshal.AsBytes(cache._source.AsSpan())))
            {
                cache._filled = false;
                weight.CopyTo(cache._source);
                pack(weight, cache._packed);
                cache._filled = true;
            }

            return cache._packed;
        }
    }
}
