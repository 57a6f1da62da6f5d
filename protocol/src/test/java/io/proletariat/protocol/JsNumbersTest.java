package io.proletariat.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** {@link JsNumbers} against what JavaScript's {@code parseInt} answers for the same JSON value. */
class JsNumbersTest {
    @ParameterizedTest(name = "parseInt({0}) = {1}")
    @CsvSource(delimiter = '|', value = {
        "42            | 42",
        "-7            | -7",
        "3.9           | 3",
        "-3.9          | -3",
        "1e3           | 1000",
        "'\"12abc\"'   | 12",
        "'\"  +5\"'    | 5",
        "'\"-0012\"'   | -12",
        "'\"abc\"'     | NaN",
        "'\"\"'        | NaN",
        "'\"-\"'       | NaN",
        "null          | NaN",
        "true          | NaN",
        "[1]           | NaN",
        "'{\"a\":1}'   | NaN",
        "1e300         | 9223372036854775807",
        "-1e300        | -9223372036854775807",
        "'\"99999999999999999999999\"' | 9223372036854775807",
    })
    void readsJsonValuesAsJavaScriptDoes(String json, String expected) {
        RawJson value = RawJson.parse(json.getBytes(StandardCharsets.UTF_8));
        long parsed = JsNumbers.parseInt(value);
        assertThat(parsed == JsNumbers.NAN ? "NaN" : Long.toString(parsed)).isEqualTo(expected);
    }

    @Test
    void aMissingValueIsNaN() {
        assertThat(JsNumbers.parseInt((RawJson) null)).isEqualTo(JsNumbers.NAN);
    }
}
