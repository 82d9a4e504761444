namespace MlPerfTiny;

/// <summary>
/// The inputs tools/make_mlperf_tiny.py fed PyTorch to write data/NAME.outputs.bin, drawn again instead of stored:
/// sample i of a model is xorshift32 seeded with the model's seed + i, each value ((x &gt;&gt; 8) / 2^24) * 2 − 1
/// (exact in float32, in [−1, 1)).
/// </summary>
public static class TestInputs
{
    /// <summary>How many samples the script ran through PyTorch.</summary>
    public const int Samples = 100;

    /// <summary>The seeds of the script's <c>SEEDS</c>.</summary>
    public const uint ResNet8Seed = 1000, DsCnnSeed = 2000, MobileNetV1Seed = 3000, AutoencoderSeed = 4000;

    /// <summary>Fills <paramref name="sample"/> with input <paramref name="index"/> of the model seeded with <paramref name="seed"/>.</summary>
    public static void Fill(uint seed, int index, System.Span<float> sample)
    {
        uint x = unchecked(seed + (uint)index);
        if (x == 0)
        {
            x = 1;
        }

        for (int j = 0; j < sample.Length; j++)
        {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            sample[j] = ((x >> 8) / 16777216f * 2f) - 1f;
        }
    }
}
